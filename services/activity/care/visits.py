"""Visits to a pair's children: pure decide."""

from __future__ import annotations

from datetime import date

from contracts.activity import LogVisit, VisitLogged
from contracts.envelope import Event
from contracts.privacy import Sealed
from services.pairing.domain import PairState
from services.shared.errors import InvalidCommand, NotFound, RuleViolated


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

