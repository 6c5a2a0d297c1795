"""Proposals and their approval: pure decide.

A proposal touches only the pair aggregate, so it reserves nothing: alternatives for one child can
stand side by side, and a stale one blocks nobody. Approval re-checks every invariant on the
members' histories as they stand at that moment and writes the pair's activation atomically with
one event per member; a concurrent approval or formation for the same child or volunteer loses on
the expected sequences. Pairs are owned at street/town level (the pools are managed per district
and town), so a street office or any office above it whose region contains the pair approves; a
collective pair of a team managed higher up is approved at the team's level. Nobody approves her own
proposal (four eyes): the proposer is the operator recorded on the PairProposed event; she may still
reject or withdraw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from contracts.envelope import Actor, Event, FederationLevel
from contracts.pairing.matching import (ApprovePair, PairApproved, PairProposalWithdrawn, PairProposed,
                                        PairRejected, ProposePair, RejectPair, WithdrawProposal)
from contracts.pairing.pairs import PairMode
from contracts.regions import parse_region
from services.intake.domain import ChildState, VolunteerState
from services.pairing.domain import formation_events
from services.pairing.members import Memberships
from services.pairing.rules import check_formed_on, check_members, check_shape
from services.pairing.state import PairState, PairStatus
from services.shared.days import day_of, not_before
from services.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated

OWNING_LEVEL = FederationLevel.street
LEVELS = list(FederationLevel)  # national first: a lower index is a higher office


@dataclass(frozen=True)
class Venue:
    """A collective pair's team and station, from their own histories, and each volunteer's team."""

    team_id: str | None = None
    team_region: str | None = None  # None: no such team
    team_level: FederationLevel | None = None
    station_id: str | None = None
    station_open: bool | None = None  # None: no such station
    volunteer_teams: dict[str, str | None] = field(default_factory=dict)


def approval_level(venue: Venue) -> FederationLevel:
    if venue.team_level and LEVELS.index(venue.team_level) < LEVELS.index(OWNING_LEVEL):
        return venue.team_level
    return OWNING_LEVEL


def decide_propose_pair(
    pair: PairState, command: ProposePair, *, pair_id: str, children: dict[str, ChildState],
    volunteers: dict[str, VolunteerState], pairs: Memberships, venue: Venue, today: date,
) -> list[Event]:
    if pair.exists:
        raise RuleViolated(f"pair {pair_id} already exists")
    check_shape(command.mode, command.child_ids, command.volunteer_ids)
    check_members(command.mode, children, volunteers, pairs, today)  # refuse now what could never be approved
    _check_venue(command.mode, children, venue)
    proposed_on = day_of("proposed_on", command.proposed_on, today)
    return [PairProposed(
        pair_id=pair_id, mode=command.mode, region=children[command.child_ids[0]].region,
        child_ids=tuple(command.child_ids), volunteer_ids=tuple(command.volunteer_ids),
        team_id=command.team_id, station_id=command.station_id,
        approval_level=approval_level(venue), score=command.score, proposed_on=proposed_on,
    )]


def decide_approve_pair(
    pair: PairState, command: ApprovePair, *, children: dict[str, ChildState],
    volunteers: dict[str, VolunteerState], pairs: Memberships, venue: Venue, today: date,
    proposer: Actor | None = None,
) -> list[Event]:
    _require_proposed(pair, command.pair_id)
    actor = command.actor
    if proposer is not None and proposer.operator_id == actor.operator_id:
        raise RuleViolated(f"pair {pair.pair_id} was proposed by operator {proposer.operator_id}, who may not "
                           f"approve her own proposal; another operator of a {pair.approval_level or OWNING_LEVEL} "
                           f"office or above approves it")
    _require_approver(actor, pair)
    load = check_members(pair.mode, children, volunteers, pairs, today)
    _check_venue(pair.mode, children, venue)
    approved_on = day_of("approved_on", command.approved_on, today)
    not_before("approved_on", approved_on, pair.proposed_on, f"pair {pair.pair_id} was proposed")
    check_formed_on(approved_on, today, children, volunteers, field="approved_on")
    region = children[pair.child_ids[0]].region  # where the child lives now, should it have moved
    return [PairApproved(pair_id=pair.pair_id, approved_at_level=actor.level, approved_on=approved_on),
            *formation_events(pair.pair_id, pair.mode, region, {c: children[c] for c in pair.child_ids},
                              {v: volunteers[v] for v in pair.volunteer_ids}, load, formed_on=approved_on)]


def decide_reject_pair(pair: PairState, command: RejectPair) -> list[Event]:
    _require_proposed(pair, command.pair_id)
    _require_approver(command.actor, pair)
    return [PairRejected(pair_id=pair.pair_id, reason=command.reason)]


def decide_withdraw_proposal(pair: PairState, command: WithdrawProposal) -> list[Event]:
    _require_proposed(pair, command.pair_id)
    return [PairProposalWithdrawn(pair_id=pair.pair_id, reason=command.reason)]


def _require_proposed(pair: PairState, pair_id: str) -> None:
    if not pair.exists:
        raise NotFound(f"pair {pair_id} does not exist")
    if pair.status is not PairStatus.proposed:
        raise RuleViolated(f"pair {pair_id} is {pair.status}, not a proposal awaiting approval")


def _require_approver(actor: Actor, pair: PairState) -> None:
    level = pair.approval_level or OWNING_LEVEL
    if LEVELS.index(actor.level) > LEVELS.index(level):
        raise Forbidden(f"operator {actor.operator_id} is a {actor.level} office; pair {pair.pair_id} "
                        f"is approved or rejected by a {level} office or above")


def _check_venue(mode: PairMode, children: dict[str, ChildState], venue: Venue) -> None:
    if mode is not PairMode.collective:
        if venue.team_id or venue.station_id:
            raise InvalidCommand("team_id" if venue.team_id else "station_id",
                                 f"a team and a station belong to collective pairs, not to {mode} ones")
        return
    if not venue.team_id:
        raise InvalidCommand("team_id", "a collective pair is cared for by a volunteer team; name it")
    if venue.team_region is None:
        raise NotFound(f"team {venue.team_id} does not exist")
    team_region = parse_region(venue.team_region)
    for child in children.values():
        if not team_region.contains(parse_region(child.region)):
            raise RuleViolated(f"child {child.child_id} lives in {child.region}, outside team "
                               f"{venue.team_id}'s region {venue.team_region}")
    for volunteer_id, team in venue.volunteer_teams.items():
        if team and team != venue.team_id:
            raise RuleViolated(f"volunteer {volunteer_id} belongs to team {team}, not {venue.team_id}")
    if venue.station_id and venue.station_open is None:
        raise NotFound(f"station {venue.station_id} does not exist")
    if venue.station_id and not venue.station_open:
        raise RuleViolated(f"station {venue.station_id} is closed")
