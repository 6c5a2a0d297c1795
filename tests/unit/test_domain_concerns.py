"""Concern rules, pure: raised for an active child, referred, followed up, closed, nothing after closing;
a step that sets a new tier also assesses the child; the child's care tier, assessed."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.intake.child_file import ChildExited, ExitReason
from contracts.activity.concerns import (AssessRisk, ChildRiskAssessed, CloseConcern, ConcernClosed,
                                         ConcernFollowedUp, ConcernKind, ConcernOutcome, ConcernRaised,
                                         ConcernReferred, FollowUpConcern, ProfessionalKind, RaiseConcern,
                                         ReferConcern, RiskTier)
from contracts.envelope import Actor, Event, FederationLevel
from contracts.intake.registration import ChildCategory, ChildRegistered, Sex
from contracts.privacy import Sealed
from services.activity.concerns import domain as casework
from services.activity.concerns.domain import concern_state
from services.activity.concerns.tier import care_tier, decide_assess_risk
from services.intake.domain import child_state
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
REGION = "510623100003"
TODAY = date(2026, 6, 1)
SEALED = Sealed(key_id="c1", nonce="AA==", ciphertext="AA==")
CHILD = ChildRegistered(child_id="c1", region=REGION, sex=Sex.male, birth_date=date(2014, 9, 1),
                        category=ChildCategory.left_behind, subtype=None, personal=SEALED,
                        guardian_relation=None, guardian=None)
RAISED = ConcernRaised(concern_id="k1", child_id="c1", region=REGION, kind=ConcernKind.depression_signs,
                       raised_by="v1", raised_on=date(2026, 5, 20), note=SEALED)


def raise_(child: list[Event], tier: RiskTier | None = None, exists: bool = False) -> list[Event]:
    command = RaiseConcern(actor=ACTOR, child_id="c1", kind=ConcernKind.depression_signs, raised_by="v1",
                           raised_on=date(2026, 5, 20), note="不愿说话，成绩下滑", tier=tier)
    return casework.decide_raise(exists, child_state(child), care_tier(child), command, concern_id="k1", today=TODAY,
                                 volunteer_known=True, note=SEALED, tier_reason=SEALED if tier else None)


def refer(given: list[Event], on: date = date(2026, 5, 22), tier: RiskTier | None = None) -> list[Event]:
    command = ReferConcern(actor=ACTOR, concern_id="k1", professional=ProfessionalKind.psychological_counsellor,
                           referred_on=on, tier=tier)
    return casework.decide_refer(concern_state(given), child_state([CHILD]), None, command, today=TODAY, details=None,
                                 tier_reason=SEALED if tier else None)


def close(given: list[Event], child: list[Event] = (CHILD,), tier: RiskTier | None = None) -> list[Event]:
    command = CloseConcern(actor=ACTOR, concern_id="k1", outcome=ConcernOutcome.resolved, closed_on=TODAY, tier=tier)
    return casework.decide_close(concern_state(given), child_state(list(child)), care_tier(child), command, today=TODAY, note=None,
                                 tier_reason=SEALED if tier else None)


def test_a_concern_is_raised_for_the_child_in_the_child_region() -> None:
    assert raise_([CHILD]) == [RAISED]


def test_raising_a_concern_can_move_the_child_to_a_more_urgent_tier_in_the_same_decision() -> None:
    assessed = ChildRiskAssessed(child_id="c1", region=REGION, tier=RiskTier.orange, previous_tier=None, reason=SEALED,
                                 assessed_on=RAISED.raised_on)  # on the day of the concern that set it
    assert raise_([CHILD], tier=RiskTier.orange) == [RAISED, assessed]
    # A tier the child already has is not assessed again.
    assert raise_([CHILD, assessed], tier=RiskTier.orange) == [RAISED]


def test_no_concern_for_an_unknown_or_exited_child_nor_twice() -> None:
    with pytest.raises(NotFound, match="child c1 is not registered"):
        raise_([])
    with pytest.raises(RuleViolated, match="left the programme"):
        raise_([CHILD, ChildExited(child_id="c1", reason=ExitReason.aged_out, exited_on=TODAY)])
    with pytest.raises(RuleViolated, match="already raised"):
        raise_([CHILD], exists=True)


def test_a_concern_is_referred_followed_up_and_closed_then_nothing_more() -> None:
    [referred, assessed] = refer([RAISED], tier=RiskTier.red)
    assert referred == ConcernReferred(concern_id="k1", child_id="c1", referred_on=date(2026, 5, 22),
                                       professional=ProfessionalKind.psychological_counsellor, details=None)
    assert (assessed.tier, assessed.previous_tier) == (RiskTier.red, None)
    follow = FollowUpConcern(actor=ACTOR, concern_id="k1", followed_up_on=date(2026, 5, 29), note="按时咨询")
    [followed] = casework.decide_follow_up(concern_state([RAISED, referred]), child_state([CHILD]), None, follow,
                                           today=TODAY, note=SEALED, tier_reason=None)
    assert isinstance(followed, ConcernFollowedUp)
    [closed] = close([RAISED, referred, followed])
    assert closed == ConcernClosed(concern_id="k1", child_id="c1", outcome=ConcernOutcome.resolved,
                                   closed_on=TODAY, note=None)
    with pytest.raises(RuleViolated, match="concern k1 is closed"):
        refer([RAISED, referred, followed, closed])
    with pytest.raises(NotFound, match="concern k1 does not exist"):
        refer([])


def test_steps_are_dated_between_the_raising_and_today() -> None:
    with pytest.raises(InvalidCommand, match="before the concern was raised") as refused:
        refer([RAISED], on=date(2026, 5, 19))
    assert refused.value.details[0].loc == ["referred_on"]
    with pytest.raises(InvalidCommand, match="future"):
        refer([RAISED], on=date(2026, 6, 2))


def test_closing_can_lower_the_tier_but_not_for_a_child_who_left() -> None:
    red = ChildRiskAssessed(child_id="c1", region=REGION, tier=RiskTier.red, previous_tier=None, reason=SEALED)
    [_, lowered] = close([RAISED], child=[CHILD, red], tier=RiskTier.yellow)
    assert (lowered.tier, lowered.previous_tier) == (RiskTier.yellow, RiskTier.red)
    exited = ChildExited(child_id="c1", reason=ExitReason.parents_returned, exited_on=TODAY)
    assert len(close([RAISED], child=[CHILD, red, exited])) == 1  # closing alone is fine
    with pytest.raises(RuleViolated, match="left the programme"):
        close([RAISED], child=[CHILD, red, exited], tier=RiskTier.blue)


# --- the care tier, assessed ---

def assess(given: list[Event], tier: RiskTier) -> list[Event]:
    command = AssessRisk(actor=ACTOR, child_id="c1", tier=tier, reason="signs of depression")
    return decide_assess_risk(child_state(given), care_tier(given), command, reason=SEALED)


def test_a_risk_assessment_records_the_previous_tier_in_the_childs_region() -> None:
    given: list[Event] = [CHILD]
    [first] = assess(given, RiskTier.red)
    assert first == ChildRiskAssessed(child_id="c1", region=REGION, tier=RiskTier.red, previous_tier=None,
                                      reason=SEALED)
    assert (first.aggregate_type, first.aggregate_id) == ("child_care", "c1")
    given.append(first)
    [second] = assess(given, RiskTier.yellow)
    assert (second.tier, second.previous_tier) == (RiskTier.yellow, RiskTier.red)
    given.append(second)
    assert care_tier(given) is RiskTier.yellow
    [third] = assess(given, RiskTier.yellow)  # re-assessed, unchanged: still recorded
    assert (third.tier, third.previous_tier) == (RiskTier.yellow, RiskTier.yellow)


def test_no_tier_for_an_unknown_or_exited_child() -> None:
    with pytest.raises(NotFound, match="child c1 is not registered"):
        assess([], RiskTier.red)
    with pytest.raises(RuleViolated, match="left the programme \\(aged_out\\)"):
        assess([CHILD, ChildExited(child_id="c1", reason=ExitReason.aged_out, exited_on=TODAY)], RiskTier.blue)
