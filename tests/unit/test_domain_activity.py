"""Activity rules, pure: visits only for active pairs, wishes only for known children, fulfilled once."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.activity.care import LogVisit, VisitKind, VisitLogged
from contracts.activity.wishes import SubmitWish, WishSubmitted
from contracts.envelope import Actor, Event, FederationLevel
from contracts.intake.registration import ChildCategory, ChildRegistered, Sex
from contracts.pairing.pairs import PairEndReason, PairEnded, PairFormed, PairMode
from contracts.privacy import Sealed
from services.activity.care.visits import decide_log_visit
from services.activity.giving.wishes import decide_submit, wish_lifecycle
from services.intake.domain import child_state
from services.pairing.domain import pair_state
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

TODAY = date(2026, 6, 1)
ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
REGION = "440105001101"
PAIR = PairFormed(pair_id="p1", mode=PairMode.one_to_many, region=REGION, child_ids=("c1", "c2"),
                  volunteer_ids=("v1",))
CHILD = ChildRegistered(child_id="c1", region=REGION, sex=Sex.female, birth_date=date(2016, 3, 8),
                        category=ChildCategory.left_behind, subtype=None,
                        personal=Sealed(key_id="c1", nonce="AA==", ciphertext="AA=="),
                        guardian_relation=None, guardian=None)
NOTE = Sealed(key_id="c1", nonce="AA==", ciphertext="AA==")


def log_visit(given: list[Event], visited_on: date = TODAY) -> list[Event]:
    command = LogVisit(actor=ACTOR, pair_id="p1", kind=VisitKind.reading, visited_on=visited_on,
                       duration_minutes=45, note="读了《小王子》")
    return decide_log_visit(pair_state(given), command, visit_id="visit-1", today=TODAY, note=NOTE)


def test_a_visit_is_logged_for_an_active_pair_for_all_its_children() -> None:
    assert log_visit([PAIR]) == [VisitLogged(
        pair_id="p1", visit_id="visit-1", kind=VisitKind.reading, visited_on=TODAY,
        duration_minutes=45, child_ids=("c1", "c2"), note=NOTE)]


def test_no_visit_for_an_ended_or_unknown_pair() -> None:
    with pytest.raises(RuleViolated, match="pair p1 has ended"):
        log_visit([PAIR, PairEnded(pair_id="p1", reason=PairEndReason.moved)])
    with pytest.raises(NotFound, match="pair p1 does not exist"):
        log_visit([])


def test_a_visit_cannot_be_in_the_future() -> None:
    with pytest.raises(InvalidCommand, match="in the future") as refused:
        log_visit([PAIR], visited_on=date(2026, 6, 2))
    assert refused.value.details[0].loc == ["visited_on"]


ITEM = Sealed(key_id="c1", nonce="AA==", ciphertext="aXRlbQ==")


def submit(wish_given: list[Event], child_given: list[Event]) -> list[Event]:
    command = SubmitWish(actor=ACTOR, child_id="c1", item="书包", estimated_cost_yuan=120)
    return decide_submit(wish_lifecycle(wish_given), child_state(child_given), command, wish_id="w1",
                         item=ITEM if child_given else None)


def test_a_wish_is_submitted_for_a_known_child_in_the_child_region_its_item_sealed() -> None:
    [event] = submit([], [CHILD])
    assert isinstance(event, WishSubmitted)
    assert (event.wish_id, event.child_id, event.region, event.item) == ("w1", "c1", REGION, ITEM)
    assert "书包" not in event.model_dump_json()


def test_a_wish_for_an_unknown_child_is_not_found() -> None:
    with pytest.raises(NotFound, match="child c1 is not registered"):
        submit([], [])
