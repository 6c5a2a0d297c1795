"""Proposal command handlers: load the histories the rules need, decide, append.

Approval appends one event per member with its expected sequence, so of two operators approving
(or forming) pairs for the same child or volunteer at the same moment one succeeds and the other
gets a conflict; no retry here, since the loser's invariants may no longer hold.
"""

from __future__ import annotations

from typing import Any

from contracts.envelope import Actor, Event
from contracts.intake.registration import VolunteerRecruited
from contracts.pairing.matching import ApprovePair, PairProposed, ProposePair, RejectPair, WithdrawProposal
from contracts.intake.volunteers import StationClosed, StationOpened, TeamFormed
from services.pairing.handlers import load_members, load_pair, require_within_members
from services.pairing.proposals import (
    Venue,
    decide_approve_pair,
    decide_propose_pair,
    decide_reject_pair,
    decide_withdraw_proposal,
)
from services.shared.eventlog import History
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id


async def propose_pair(deps: Deps, command: ProposePair) -> dict[str, Any]:
    pair_id = command.pair_id or derived_id(command.command_id, "pair")
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, pair_id)
    children, volunteers, pairs = await load_members(uow, command.child_ids, command.volunteer_ids)
    venue = await _venue(uow, command.team_id, command.station_id, command.volunteer_ids)

    def decide():  # the members' regions are checked only for a new command, not for a retry
        require_within_members(uow, children, volunteers)
        return decide_propose_pair(pair, command, pair_id=pair_id, children=children,
                                   volunteers=volunteers, pairs=pairs, venue=venue, today=uow.now.date())
    return await uow.decide_and_commit(decide, pair_id=pair_id)


async def approve_pair(deps: Deps, command: ApprovePair) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)
    children, volunteers, pairs = await load_members(uow, list(pair.child_ids), list(pair.volunteer_ids))
    venue = await _venue(uow, pair.team_id, pair.station_id, pair.volunteer_ids)
    proposer = _proposer(await uow.load("pair", command.pair_id))  # already loaded: cached

    def decide():  # as for a proposal: a retry is answered before the members' regions are checked
        require_within_members(uow, children, volunteers)
        return decide_approve_pair(pair, command, children=children, volunteers=volunteers, pairs=pairs,
                                   venue=venue, today=uow.now.date(), proposer=proposer)
    return await uow.decide_and_commit(decide, pair_id=command.pair_id)


async def reject_pair(deps: Deps, command: RejectPair) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)
    return await uow.decide_and_commit(lambda: decide_reject_pair(pair, command), pair_id=command.pair_id)


async def withdraw_proposal(deps: Deps, command: WithdrawProposal) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)
    return await uow.decide_and_commit(lambda: decide_withdraw_proposal(pair, command), pair_id=command.pair_id)


async def _venue(uow: UnitOfWork, team_id: str | None, station_id: str | None, volunteer_ids) -> Venue:
    team = await uow.state("team", team_id, _team_formed) if team_id else None
    station_open = await uow.state("station", station_id, _station_open) if station_id else None
    # Already loaded: the unit of work caches histories.
    teams = {v: await uow.state("volunteer", v, _recruited_to) for v in volunteer_ids}
    return Venue(team_id=team_id, team_region=team.region if team else None,
                 team_level=team.level if team else None, station_id=station_id,
                 station_open=station_open, volunteer_teams=teams)


def _proposer(history: History) -> Actor | None:
    """Who proposed the pair: the actor on its PairProposed event's envelope (None: never proposed)."""
    return next((s.envelope.actor for s in history.events if isinstance(s.event, PairProposed)), None)


def _team_formed(events: list[Event]) -> TeamFormed | None:
    return next((e for e in events if isinstance(e, TeamFormed)), None)


def _station_open(events: list[Event]) -> bool | None:
    """Whether the station's last opening or closing opened it; None if it never opened."""
    station_open = None
    for event in events:
        if isinstance(event, (StationOpened, StationClosed)):
            station_open = isinstance(event, StationOpened)
    return station_open


def _recruited_to(events: list[Event]) -> str | None:
    """The team a volunteer was recruited to, if any."""
    recruited = [e for e in events if isinstance(e, VolunteerRecruited)]
    return recruited[0].team_id if recruited else None
