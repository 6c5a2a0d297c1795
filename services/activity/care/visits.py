"""Visits to a pair's children: pure decide."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from contracts.activity.care import LogVisit, VisitLogged
from contracts.envelope import Event
from contracts.privacy import Sealed
from services.activity.care.dates import not_before_births, not_before_forming, not_in_future
from services.pairing.domain import PairState
from services.shared.errors import NotFound, RuleViolated


def decide_log_visit(
    pair: PairState, command: LogVisit, *, visit_id: str, today: date, note: Sealed | None,
    births: Mapping[str, date | None] | None = None,
) -> list[Event]:
    """`births`: the birth dates of the pair's children (by id), which no visit can precede."""
    if not pair.exists:
        raise NotFound(f"pair {command.pair_id} does not exist")
    if not pair.active:
        raise RuleViolated(f"pair {command.pair_id} has ended; visits are logged for active pairs")
    not_in_future("visited_on", command.visited_on, today)
    not_before_births("visited_on", command.visited_on, births or {})
    not_before_forming("visited_on", command.visited_on, pair.pair_id, pair.formed_on)
    return [VisitLogged(pair_id=pair.pair_id, visit_id=visit_id, kind=command.kind,
                        visited_on=command.visited_on, duration_minutes=command.duration_minutes,
                        child_ids=pair.child_ids, note=note)]

