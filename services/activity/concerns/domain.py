"""Concerns about a child (个案服务), pure: raised, referred, followed up, closed; nothing after closing.

Any step may move the child to another care tier (`tier`): the step also decides a ChildRiskAssessed
on her care, which the handler stores in the same atomic batch: a reader never sees the concern's
step without the tier it set, nor the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch

from contracts.activity.concerns import (CloseConcern, ConcernClosed, ConcernFollowedUp, ConcernKind,
                                         ConcernRaised, ConcernReferred, FollowUpConcern, RaiseConcern,
                                         ReferConcern, RiskTier)
from contracts.envelope import Event
from contracts.privacy import Sealed
from services.activity.concerns.tier import tier_change
from services.intake.child_file import require_active
from services.intake.domain import ChildState
from services.shared.errors import InvalidCommand, NotFound, RuleViolated
from services.shared.fold import fold


@dataclass(frozen=True)
class Concern:
    concern_id: str = ""
    exists: bool = False
    child_id: str = ""
    kind: ConcernKind = ConcernKind.other
    raised_on: date = date.min
    closed: bool = False


def _day(field: str, day: date, concern: Concern, today: date) -> None:
    if day > today:
        raise InvalidCommand(field, f"{day} is in the future")
    if day < concern.raised_on:
        raise InvalidCommand(field, f"{day} is before the concern was raised on {concern.raised_on}")


def require_open(concern: Concern, concern_id: str) -> None:
    if not concern.exists:
        raise NotFound(f"concern {concern_id} does not exist")
    if concern.closed:
        raise RuleViolated(f"concern {concern_id} is closed")


def decide_raise(
    exists: bool, child: ChildState, tier: RiskTier | None, command: RaiseConcern, *, concern_id: str, today: date,
    volunteer_known: bool, note: Sealed | None, tier_reason: Sealed | None,
) -> list[Event]:
    if exists:
        raise RuleViolated(f"concern {concern_id} was already raised")
    require_active(child, command.child_id)
    if command.raised_on > today:
        raise InvalidCommand("raised_on", f"{command.raised_on} is in the future")
    if command.raised_by and not volunteer_known:
        raise NotFound(f"volunteer {command.raised_by} is not recruited")
    raised = ConcernRaised(concern_id=concern_id, child_id=child.child_id, region=child.region,
                           kind=command.kind, raised_by=command.raised_by, raised_on=command.raised_on,
                           note=note)
    return [raised, *tier_change(child, tier, command.tier, tier_reason, command.raised_on)]


def decide_refer(concern: Concern, child: ChildState, tier: RiskTier | None, command: ReferConcern, *,
                 today: date, details: Sealed | None, tier_reason: Sealed | None) -> list[Event]:
    require_open(concern, command.concern_id)
    _day("referred_on", command.referred_on, concern, today)
    referred = ConcernReferred(concern_id=command.concern_id, child_id=concern.child_id,
                               professional=command.professional, referred_on=command.referred_on,
                               details=details)
    return [referred, *tier_change(child, tier, command.tier, tier_reason, command.referred_on)]


def decide_follow_up(concern: Concern, child: ChildState, tier: RiskTier | None, command: FollowUpConcern, *,
                     today: date, note: Sealed, tier_reason: Sealed | None) -> list[Event]:
    require_open(concern, command.concern_id)
    _day("followed_up_on", command.followed_up_on, concern, today)
    followed = ConcernFollowedUp(concern_id=command.concern_id, child_id=concern.child_id,
                                 followed_up_on=command.followed_up_on, note=note)
    return [followed, *tier_change(child, tier, command.tier, tier_reason, command.followed_up_on)]


def decide_close(concern: Concern, child: ChildState, tier: RiskTier | None, command: CloseConcern, *,
                 today: date, note: Sealed | None, tier_reason: Sealed | None) -> list[Event]:
    require_open(concern, command.concern_id)
    _day("closed_on", command.closed_on, concern, today)
    closed = ConcernClosed(concern_id=command.concern_id, child_id=concern.child_id,
                           outcome=command.outcome, closed_on=command.closed_on, note=note)
    return [closed, *tier_change(child, tier, command.tier, tier_reason, command.closed_on)]


@singledispatch
def evolve(event: Event, concern: Concern) -> Concern:
    return concern


@evolve.register
def _(event: ConcernRaised, concern: Concern) -> Concern:
    return Concern(event.concern_id, True, event.child_id, event.kind, event.raised_on)


@evolve.register
def _(event: ConcernClosed, concern: Concern) -> Concern:
    return replace(concern, closed=True)


def concern_state(events: list[Event]) -> Concern:
    return fold(evolve, Concern(), events)
