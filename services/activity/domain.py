"""Visits and micro-wishes: pure decide and evolve."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch

from contracts.activity import (
    LogVisit,
    SubmitWish,
    VisitLogged,
    WishFulfilled,
    WishSubmitted,
)
from contracts.envelope import Event
from contracts.privacy import Sealed
from services.intake.domain import ChildState
from services.pairing.domain import PairState
from services.shared.errors import InvalidCommand, NotFound, RuleViolated
from services.shared.fold import fold


@dataclass(frozen=True)
class WishState:
    wish_id: str = ""
    exists: bool = False
    child_id: str = ""
    fulfilled: bool = False


def decide_log_visit(
    pair: PairState, command: LogVisit, *, visit_id: str, today: date, note: Sealed | None
) -> list[Event]:
    if not pair.exists:
        raise NotFound(f"pair {command.pair_id} does not exist")
    if not pair.active:
        raise RuleViolated(f"pair {command.pair_id} has ended; visits are logged for active pairs")
    if command.visited_on > today:
        raise InvalidCommand("visited_on", f"{command.visited_on} is in the future")
    return [VisitLogged(pair_id=pair.pair_id, visit_id=visit_id, kind=command.kind,
                        visited_on=command.visited_on, duration_minutes=command.duration_minutes,
                        child_ids=pair.child_ids, note=note)]


def decide_submit_wish(wish: WishState, child: ChildState, command: SubmitWish, *, wish_id: str) -> list[Event]:
    if wish.exists:
        raise RuleViolated(f"wish {wish_id} already exists")
    if not child.exists:
        raise NotFound(f"child {command.child_id} is not registered")
    return [WishSubmitted(wish_id=wish_id, child_id=child.child_id, region=child.region,
                          item=command.item, category=command.category,
                          estimated_cost_yuan=command.estimated_cost_yuan)]


@singledispatch
def evolve_wish(event: Event, state: WishState) -> WishState:
    return state


@evolve_wish.register
def _(event: WishSubmitted, state: WishState) -> WishState:
    return WishState(event.wish_id, True, event.child_id)


@evolve_wish.register
def _(event: WishFulfilled, state: WishState) -> WishState:
    return replace(state, fulfilled=True)


def wish_state(events: list[Event]) -> WishState:
    return fold(evolve_wish, WishState(), events)
