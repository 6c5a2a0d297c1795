"""Intake rules, pure: given past events, when a command is decided, then these events (or a refusal)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.envelope import Actor, Event, FederationLevel
from contracts.intake.registration import (ChildCategory, ChildRegistered, RecruitVolunteer, RegisterChild,
                                           Sex, VolunteerKind, VolunteerRecruited)
from contracts.privacy import Sealed
from contracts.regions import parse_region
from services.intake.domain import (child_state, decide_recruit_volunteer, decide_register_child,
                                    volunteer_state)
from services.shared.errors import InvalidCommand, RuleViolated

TODAY = date(2026, 6, 1)
ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
COMMUNITY = parse_region("440105001101")


def sealed(person: str) -> Sealed:
    return Sealed(key_id=person, nonce="AA==", ciphertext="AA==")


def register_child(given: list[Event], birth_date: date) -> list[Event]:
    command = RegisterChild(actor=ACTOR, region=COMMUNITY.code, name="李小花", sex=Sex.female,
                            birth_date=birth_date, category=ChildCategory.left_behind)
    return decide_register_child(child_state(given), command, child_id="c1", region=COMMUNITY,
                                 today=TODAY, personal=sealed("c1"), guardian=None)


def test_a_child_under_18_is_registered_without_plaintext() -> None:
    [event] = register_child([], date(2016, 3, 8))
    assert isinstance(event, ChildRegistered)
    assert (event.child_id, event.region, event.birth_date) == ("c1", COMMUNITY.code, date(2016, 3, 8))
    assert event.personal == sealed("c1")
    assert "李小花" not in event.model_dump_json()


def test_a_child_turning_18_tomorrow_is_still_registered() -> None:
    assert register_child([], date(2008, 6, 2))


@pytest.mark.parametrize(("birth_date", "problem"), [
    (date(2008, 6, 1), "the child is 18"),  # 18 today
    (date(2007, 1, 1), "the child is 19"),
    (date(2026, 6, 2), "in the future"),
])
def test_adults_and_unborn_children_are_refused_on_birth_date(birth_date, problem) -> None:
    with pytest.raises(InvalidCommand, match=problem) as refused:
        register_child([], birth_date)
    assert [d.loc for d in refused.value.details] == [["birth_date"]]


def test_a_child_is_registered_once() -> None:
    given = register_child([], date(2016, 3, 8))
    with pytest.raises(RuleViolated, match="child c1 is already registered"):
        register_child(given, date(2016, 3, 8))


def recruit(given: list[Event]) -> list[Event]:
    command = RecruitVolunteer(actor=ACTOR, region="440105001102", name="王芳", sex=Sex.female,
                               kind=VolunteerKind.mother, capacity=2)
    return decide_recruit_volunteer(volunteer_state(given), command, volunteer_id="v1",
                                    region=parse_region("440105001102"), personal=sealed("v1"), today=TODAY)


def test_a_volunteer_is_recruited_once_with_a_capacity() -> None:
    given = recruit([])
    assert [type(e) for e in given] == [VolunteerRecruited]
    assert volunteer_state(given).capacity == 2
    with pytest.raises(RuleViolated, match="volunteer v1 is already recruited"):
        recruit(given)


def register_with_number(id_number: str, sex: Sex = Sex.female, birth_date: date = date(2016, 3, 8)) -> list[Event]:
    command = RegisterChild(actor=ACTOR, region=COMMUNITY.code, name="李小花", sex=sex, birth_date=birth_date,
                            category=ChildCategory.left_behind, id_number=id_number)
    return decide_register_child(child_state([]), command, child_id="c1", region=COMMUNITY,
                                 today=TODAY, personal=sealed("c1"), guardian=None)


def test_an_id_number_is_checked_as_the_import_checks_it() -> None:
    assert register_with_number("440105201603080020")  # check digit 0, born 2016-03-08, 17th digit even
    assert register_with_number("44010520160308059x", sex=Sex.male)  # a lower-case x is the check X


@pytest.mark.parametrize(("id_number", "fields", "problem"), [
    ("440105201603080021", {}, "check digit is 1, the first 17 digits give 0"),
    ("440105201603080020", {"birth_date": date(2016, 3, 9)},
     "the number gives the birth date 2016-03-08, the command's birth_date is 2016-03-09"),
    ("440105201603080020", {"sex": Sex.male}, "the number's 17th digit gives sex female, the command's sex is male"),
    ("440105201602300028", {}, "not a calendar date"),
])
def test_a_wrong_id_number_is_refused_on_its_field(id_number, fields, problem) -> None:
    with pytest.raises(InvalidCommand, match=problem) as refused:
        register_with_number(id_number, **fields)
    assert [d.loc for d in refused.value.details] == [["id_number"]]
