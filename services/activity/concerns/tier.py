"""The child's care tier (红橙黄蓝), activity's: it sets the care cadence, the reminders and how urgent
her concerns are. Pure: decided on her file (intake's, read together with the tier, so that no tier is
set on a child who left) and the tier she has, which is the last one assessed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from contracts.activity.concerns import AssessRisk, ChildRiskAssessed, RiskTier
from contracts.envelope import Event
from contracts.privacy import Sealed
from services.intake.child_file import require_active
from services.intake.domain import ChildState
from services.shared.days import day_of, not_before


def care_tier(events: Iterable[Event]) -> RiskTier | None:
    """The tier of the last assessment among `events` (her care's, after those of a log written
    before, which stored them on her file), None if she was never assessed."""
    tier = None
    for event in events:
        if isinstance(event, ChildRiskAssessed):
            tier = event.tier
    return tier


def decide_assess_risk(child: ChildState, tier: RiskTier | None, command: AssessRisk, *,
                       reason: Sealed, today: date | None = None) -> list[Event]:
    """An assessment is recorded even when the tier stays as it was: its reason is new. On its day
    (None without `today`: the day it is recorded)."""
    require_active(child, command.child_id)
    day = command.assessed_on
    if today is not None:
        day = day_of("assessed_on", command.assessed_on, today)
        not_before("assessed_on", day, child.since, f"child {child.child_id} was registered (or last moved)")
    return [ChildRiskAssessed(child_id=child.child_id, region=child.region, tier=command.tier,
                              previous_tier=tier, reason=reason, assessed_on=day)]


def tier_change(child: ChildState, tier: RiskTier | None, new: RiskTier | None, reason: Sealed | None,
                on: date | None = None) -> list[Event]:
    """The child's new tier, if a concern's step sets one she does not have yet (on the step's day)."""
    if new is None or new == tier:
        return []
    require_active(child, child.child_id)
    if reason is None:
        raise ValueError("a tier change needs its sealed reason")
    return [ChildRiskAssessed(child_id=child.child_id, region=child.region, tier=new, previous_tier=tier,
                              reason=reason, assessed_on=on)]
