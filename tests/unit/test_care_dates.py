"""Care dates against the facts they follow, pure: no visit or pair activity before the pair's
children were born, nor before the pair was formed (PairFormed v2's date), none in the future."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.activity.care import ActivityKind, LogActivity, LogVisit, VisitKind
from contracts.envelope import Actor, FederationLevel
from contracts.pairing.pairs import PairFormed, PairMode
from services.activity.care.activities import decide_log_activity
from services.activity.care.visits import decide_log_visit
from services.pairing.domain import pair_state
from services.shared.errors import InvalidCommand

TODAY = date(2026, 6, 1)
ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
PAIR = pair_state([PairFormed(pair_id="p1", mode=PairMode.one_to_many, region="440105001101",
                              child_ids=("c1", "c2"), volunteer_ids=("v1",))])
BIRTHS = {"c1": date(2013, 4, 5), "c2": date(2016, 3, 8)}


def visit(on: date, births=BIRTHS) -> list:
    command = LogVisit(actor=ACTOR, pair_id="p1", kind=VisitKind.reading, visited_on=on, duration_minutes=30)
    return decide_log_visit(PAIR, command, visit_id="v", today=TODAY, note=None, births=births)


def activity(on: date, births=BIRTHS, **fields) -> list:
    command = LogActivity(actor=ACTOR, pair_id="p1", kind=ActivityKind.reading, held_on=on,
                          duration_minutes=60, **fields)
    return decide_log_activity(PAIR, command, activity_id="a", today=TODAY, births=births)


def test_a_visit_before_a_child_of_the_pair_was_born_is_refused_on_its_date() -> None:
    with pytest.raises(InvalidCommand, match=r"1999-11-30 is before child c1 of the pair was born \(2013-04-05\)") as refused:
        visit(date(1999, 11, 30))
    assert [d.loc for d in refused.value.details] == [["visited_on"]]
    # Born after the older child: the pair cannot have met before the younger one was born either.
    with pytest.raises(InvalidCommand, match="before child c2"):
        visit(date(2015, 1, 1))


def test_a_visit_on_or_after_every_birth_is_logged() -> None:
    assert visit(date(2016, 3, 8))
    assert visit(date(1999, 11, 30), births={})  # births not given: nothing to hold it against
    assert visit(date(2016, 3, 8), births={"c1": None, "c2": date(2016, 3, 8)})


def test_an_activity_is_held_against_all_the_pairs_children_not_only_those_present() -> None:
    with pytest.raises(InvalidCommand, match="before child c2 of the pair was born") as refused:
        activity(date(2014, 6, 1), child_ids=["c1"])
    assert [d.loc for d in refused.value.details] == [["held_on"]]
    assert activity(date(2016, 3, 9), child_ids=["c1"])


FORMED = pair_state([PairFormed(pair_id="p1", mode=PairMode.one_to_many, region="440105001101",
                                child_ids=("c1", "c2"), volunteer_ids=("v1",), formed_on=date(2026, 3, 1))])


def test_care_before_the_pair_was_formed_is_refused_naming_both_dates() -> None:
    early = LogVisit(actor=ACTOR, pair_id="p1", kind=VisitKind.reading, visited_on=date(2026, 2, 28),
                     duration_minutes=30)
    with pytest.raises(InvalidCommand, match=r"2026-02-28 is before pair p1 was formed \(2026-03-01\)") as refused:
        decide_log_visit(FORMED, early, visit_id="v", today=TODAY, note=None, births=BIRTHS)
    assert [d.loc for d in refused.value.details] == [["visited_on"]]
    on_the_day = early.model_copy(update={"visited_on": date(2026, 3, 1)})
    assert decide_log_visit(FORMED, on_the_day, visit_id="v", today=TODAY, note=None, births=BIRTHS)

    held = LogActivity(actor=ACTOR, pair_id="p1", kind=ActivityKind.reading, held_on=date(2026, 1, 15),
                       duration_minutes=60)
    with pytest.raises(InvalidCommand, match=r"2026-01-15 is before pair p1 was formed \(2026-03-01\)") as refused:
        decide_log_activity(FORMED, held, activity_id="a", today=TODAY, births=BIRTHS)
    assert [d.loc for d in refused.value.details] == [["held_on"]]
    # A pair whose state has no forming date (folded without envelopes) is held to its births only.
    assert activity(date(2026, 1, 15))


def test_future_dates_are_still_refused_first() -> None:
    with pytest.raises(InvalidCommand, match="in the future"):
        visit(date(2026, 6, 2))
    with pytest.raises(InvalidCommand, match="in the future") as refused:
        activity(date(2026, 6, 2))
    assert [d.loc for d in refused.value.details] == [["held_on"]]
