"""Proposals and approval, pure: given the histories of the pair and its members, when a proposal
is made, approved, rejected or withdrawn, then these events (or a refusal)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.intake.child_file import ConsentScope, GuardianConsentWithdrawn
from contracts.envelope import Actor, Event, FederationLevel
from contracts.pairing.matching import (ApprovePair, PairApproved, PairProposalWithdrawn, PairProposed,
                                        PairRejected, ProposalDropReason, ProposePair, RejectPair,
                                        WithdrawProposal)
from contracts.pairing.pairs import ChildJoinedPair, PairFormed, PairMode, VolunteerJoinedPair
from services.intake.domain import child_state, volunteer_state
from services.pairing.domain import pair_state
from services.pairing.proposals import (Venue, decide_approve_pair, decide_propose_pair,
                                        decide_reject_pair, decide_withdraw_proposal)
from services.pairing.state import PairStatus
from services.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated
from tests.unit.test_domain_pairing import PROGRAMME, REGION, TODAY, end, form, history, memberships, volunteer

M = PairMode
NATIONAL = Actor(operator_id="op-cn", level=FederationLevel.national, region="CN")
STREET = Actor(operator_id="op-street", level=FederationLevel.street, region="440105001")
COMMUNITY = Actor(operator_id="op-comm", level=FederationLevel.community, region=REGION)
TEAM = Venue(team_id="t1", team_region="440105001000", team_level=FederationLevel.street)


def propose(given: list[Event], mode: PairMode, child_ids, volunteer_ids, pair_id="p1", venue=Venue(),
            actor=COMMUNITY) -> list[Event]:
    command = ProposePair(actor=actor, pair_id=pair_id, mode=mode, child_ids=child_ids,
                          volunteer_ids=volunteer_ids, team_id=venue.team_id, station_id=venue.station_id)
    return decide_propose_pair(pair_state(history(given, "pair", pair_id)), command, pair_id=pair_id,
                               children=_children(given, child_ids), volunteers=_volunteers(given, volunteer_ids),
                               pairs=memberships(given, child_ids, volunteer_ids), venue=venue, today=TODAY)


def approve(given: list[Event], pair_id="p1", actor=STREET, venue=Venue()) -> list[Event]:
    pair = pair_state(history(given, "pair", pair_id))
    return decide_approve_pair(pair, ApprovePair(actor=actor, pair_id=pair_id), children=_children(given, pair.child_ids),
                               volunteers=_volunteers(given, pair.volunteer_ids),
                               pairs=memberships(given, pair.child_ids, pair.volunteer_ids), venue=venue, today=TODAY)


def _children(given, ids):
    return {c: child_state(history(given, "child", c)) for c in ids}


def _volunteers(given, ids):
    return {v: volunteer_state(history(given, "volunteer", v)) for v in ids}


@pytest.mark.parametrize(("mode", "child_ids", "volunteer_ids", "load", "venue"), [
    (M.one_to_one, ["c1"], ["v1"], 1, Venue()),
    (M.one_to_many, ["c1", "c2", "c3"], ["v1"], 3, Venue()),
    (M.many_to_one, ["c1"], ["v1", "v2"], 1, Venue()),
    (M.collective, ["c1", "c2"], ["v1", "v2"], 0, TEAM),
    (M.family, ["c1"], ["f1"], 1, Venue()),
])
def test_each_mode_is_proposed_then_approved_with_the_events_of_a_formation(mode, child_ids, volunteer_ids,
                                                                            load, venue) -> None:
    proposed = propose(PROGRAMME, mode, child_ids, volunteer_ids, venue=venue)
    assert proposed == [PairProposed(pair_id="p1", mode=mode, region=REGION, child_ids=tuple(child_ids),
                                     volunteer_ids=tuple(volunteer_ids), team_id=venue.team_id,
                                     approval_level=FederationLevel.street, proposed_on=TODAY)]
    given = PROGRAMME + proposed
    assert pair_state(history(given, "pair", "p1")).status is PairStatus.proposed
    approved = approve(given, venue=venue)
    assert approved == [
        PairApproved(pair_id="p1", approved_at_level=FederationLevel.street, approved_on=TODAY),
        PairFormed(pair_id="p1", mode=mode, region=REGION, child_ids=tuple(child_ids),
                   volunteer_ids=tuple(volunteer_ids), formed_on=TODAY),  # the day it was approved
        *(ChildJoinedPair(child_id=c, region=REGION, pair_id="p1", mode=mode) for c in child_ids),
        *(VolunteerJoinedPair(volunteer_id=v, region=REGION, pair_id="p1", mode=mode, children=load)
          for v in volunteer_ids),
    ]
    state = pair_state(history(given + approved, "pair", "p1"))
    assert (state.status, state.active, state.team_id) == (PairStatus.active, True, venue.team_id)
    assert end(given + approved)


def test_a_proposal_reserves_nothing_so_alternatives_stand_side_by_side() -> None:
    given = PROGRAMME + propose(PROGRAMME, M.one_to_one, ["c1"], ["v1"])
    given += propose(given, M.one_to_one, ["c1"], ["v2"], pair_id="p2")
    assert memberships(given, ["c1"], []).of_child("c1").active_pairs == {}
    given += approve(given, "p2")
    with pytest.raises(RuleViolated, match="already has an active one-to-one pair"):
        approve(given, "p1")  # the approval re-checks against the child's history as it stands now


def test_approval_rechecks_consent_withdrawn_since_the_proposal() -> None:
    given = PROGRAMME + propose(PROGRAMME, M.one_to_one, ["c1"], ["v1"])
    given.append(GuardianConsentWithdrawn(child_id="c1", scopes=(ConsentScope.pairing,),
                                          withdrawn_on=date(2026, 5, 1)))
    with pytest.raises(RuleViolated, match="needs the guardian's consent"):
        approve(given)


def test_approval_rechecks_capacity_taken_since_the_proposal() -> None:
    given = PROGRAMME + propose(PROGRAMME, M.family, ["c1"], ["f1"])
    given += form(given, M.family, ["c2"], ["f1"], pair_id="p-direct")
    with pytest.raises(RuleViolated, match="cares for 1 of 1"):
        approve(given)


def test_what_could_never_be_approved_is_not_proposed() -> None:
    given = [*PROGRAMME, volunteer("v9")]  # recruited, never trained
    with pytest.raises(RuleViolated, match="reserve pool"):
        propose(given, M.one_to_one, ["c1"], ["v9"])
    with pytest.raises(InvalidCommand):
        propose(PROGRAMME, M.one_to_many, ["c1"], ["v1"])


def test_only_the_owning_level_or_above_approves_or_rejects() -> None:
    given = PROGRAMME + propose(PROGRAMME, M.one_to_one, ["c1"], ["v1"])
    with pytest.raises(Forbidden, match="approved or rejected by a street office or above"):
        approve(given, actor=COMMUNITY)
    assert approve(given, actor=NATIONAL)[0] == PairApproved(pair_id="p1", approved_at_level=FederationLevel.national,
                                                                approved_on=TODAY)
    pair = pair_state(history(given, "pair", "p1"))
    with pytest.raises(Forbidden):
        decide_reject_pair(pair, RejectPair(actor=COMMUNITY, pair_id="p1", reason=ProposalDropReason.mismatch))


def test_a_collective_pair_of_a_district_team_is_approved_at_district_level() -> None:
    district_team = Venue(team_id="t2", team_region="440105000000", team_level=FederationLevel.district)
    [proposed] = propose(PROGRAMME, M.collective, ["c1", "c2"], ["v1"], venue=district_team)
    assert proposed.approval_level is FederationLevel.district
    with pytest.raises(Forbidden, match="district office or above"):
        approve(PROGRAMME + [proposed], venue=district_team)


@pytest.mark.parametrize(("venue", "error", "message"), [
    (Venue(), InvalidCommand, "cared for by a volunteer team"),
    (Venue(team_id="t9"), NotFound, "team t9 does not exist"),
    (Venue(team_id="t1", team_region="440117001000", team_level=FederationLevel.street), RuleViolated,
     "outside team t1's region"),
    (Venue(**{**TEAM.__dict__, "volunteer_teams": {"v1": "t-other"}}), RuleViolated, "belongs to team t-other"),
    (Venue(**{**TEAM.__dict__, "station_id": "s1", "station_open": False}), RuleViolated, "station s1 is closed"),
    (Venue(**{**TEAM.__dict__, "station_id": "s9"}), NotFound, "station s9 does not exist"),
])
def test_a_collective_pair_needs_its_team_and_an_open_station(venue, error, message) -> None:
    with pytest.raises(error, match=message):
        propose(PROGRAMME, M.collective, ["c1", "c2"], ["v1"], venue=venue)


def test_a_team_belongs_to_collective_pairs_only() -> None:
    with pytest.raises(InvalidCommand, match="collective pairs, not to one_to_one"):
        propose(PROGRAMME, M.one_to_one, ["c1"], ["v1"], venue=TEAM)


def test_a_proposal_is_rejected_or_withdrawn_once_and_never_ended() -> None:
    given = PROGRAMME + propose(PROGRAMME, M.one_to_one, ["c1"], ["v1"])
    pair = pair_state(history(given, "pair", "p1"))
    with pytest.raises(RuleViolated, match="only proposed; withdraw or reject"):
        end(given)
    withdrawn = decide_withdraw_proposal(pair, WithdrawProposal(actor=COMMUNITY, pair_id="p1",
                                                                reason=ProposalDropReason.better_match))
    assert withdrawn == [PairProposalWithdrawn(pair_id="p1", reason=ProposalDropReason.better_match)]
    given += withdrawn
    with pytest.raises(RuleViolated, match="pair p1 is withdrawn, not a proposal"):
        approve(given)
    other = PROGRAMME + propose(PROGRAMME, M.one_to_one, ["c2"], ["v2"], pair_id="p2")
    rejected = decide_reject_pair(pair_state(history(other, "pair", "p2")),
                                  RejectPair(actor=STREET, pair_id="p2", reason=ProposalDropReason.mismatch))
    assert rejected == [PairRejected(pair_id="p2", reason=ProposalDropReason.mismatch)]
    with pytest.raises(RuleViolated, match="was rejected and never became active"):
        end(other + rejected, "p2")


def test_an_unknown_or_existing_pair_is_refused() -> None:
    with pytest.raises(NotFound, match="pair p9 does not exist"):
        approve(PROGRAMME, "p9")
    given = PROGRAMME + form(PROGRAMME, M.one_to_one, ["c1"], ["v1"])
    with pytest.raises(RuleViolated, match="pair p1 already exists"):
        propose(given, M.one_to_one, ["c2"], ["v2"])
    with pytest.raises(RuleViolated, match="pair p1 is active, not a proposal"):
        approve(given)
