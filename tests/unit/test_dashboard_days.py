"""A file's sentences tell the day a thing happened (its business day), not the day it was typed in."""

from __future__ import annotations

from services.dashboard.wording import day_of


def test_a_sentence_tells_the_business_day_else_the_day_recorded() -> None:
    recorded = "2026-12-07T08:00:00+00:00"
    registered = {"occurred_at": recorded, "data": {"birth_date": "2015-01-01", "registered_on": "2024-09-01"}}
    moved = {"occurred_at": recorded, "data": {"registered_on": "2024-09-01", "transferred_on": "2025-03-02"}}
    before = {"occurred_at": recorded, "data": {"birth_date": "2015-01-01"}}  # stored before it had a day
    assert [day_of(e) for e in (registered, moved, before)] == ["2024-09-01", "2025-03-02", "2026-12-07"]
