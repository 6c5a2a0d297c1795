"""The monthly submission, pure: a month over, with figures that pass the rules and its sub-offices
submitted or explained, goes up; the office directly above returns it with a reason or accepts it;
a returned month goes up again; an accepted month is locked and only adjusted; deadlines by level."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.envelope import Actor, Event, FederationLevel
from contracts.regions import known_region
from contracts.reporting.submission import (AdjustMonth, MonthAdjusted, MonthSubmitted, SubmissionAccepted,
                                            SubmissionReturned, SubmitMonth)
from services.reporting.submission import domain
from services.reporting.submission.deadlines import DEFAULT_DAYS, deadline, parse_days
from services.reporting.submission.domain import ACCEPTED, NONE, RETURNED, SUBMITTED, submission_state
from services.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated

HAIZHU, GUANGZHOU, GUANGDONG = known_region("440105"), known_region("4401"), known_region("44")
ACTOR = Actor(operator_id="hz", level=FederationLevel.district, region="440105")
DECEMBER_3 = date(2026, 12, 3)
FIGURES = {"children": 10, "children_paired": 8, "children_category_left_behind": 6,
           "children_paired_category_left_behind": 5, "activities": 12}


def submit(given: list[Event], *, today: date = DECEMBER_3, office=HAIZHU, figures=None, expected=(),
           submitted=None, explanations=None) -> list[Event]:
    command = SubmitMonth(actor=ACTOR, office=domain.office_code(office), month="2026-11",
                          figures=FIGURES if figures is None else figures, sub_offices=list(expected),
                          explanations=explanations or {})
    return domain.decide_submit(submission_state(given), command, office, today=today,
                                sub_offices=submitted or {}, days=DEFAULT_DAYS)


def review(given: list[Event], reviewer=GUANGZHOU, reason: str | None = None) -> list[Event]:
    return domain.decide_review(submission_state(given), HAIZHU, reviewer, "2026-11", today=DECEMBER_3,
                                reason=reason)


def adjust(given: list[Event], figures: dict) -> list[Event]:
    command = AdjustMonth(actor=ACTOR, office="440105", month="2026-11", figures=figures)
    return domain.decide_adjust(submission_state(given), command, HAIZHU, today=date(2026, 12, 20))


def test_a_month_over_goes_up_with_its_figures_deadline_and_round() -> None:
    [event] = submit([])
    assert isinstance(event, MonthSubmitted)
    assert (event.submission_id, event.office, event.region, event.round) == ("440105-2026-11", "440105",
                                                                              "440105000000", 1)
    assert (event.deadline, event.days_late, event.figures) == (date(2026, 12, 5), 0, FIGURES)
    assert submission_state([event]).status == SUBMITTED


def test_a_month_sent_after_its_deadline_counts_the_days_late() -> None:
    [event] = submit([], today=date(2026, 12, 9))
    assert event.days_late == 4


@pytest.mark.parametrize("today", [date(2026, 11, 30), date(2026, 11, 15)])
def test_a_month_not_over_is_refused(today: date) -> None:
    with pytest.raises(InvalidCommand, match="not over") as refused:
        submit([], today=today)
    assert refused.value.details[0].loc == ["month"]


def test_a_month_awaiting_review_or_accepted_is_not_sent_again() -> None:
    sent = submit([])
    with pytest.raises(RuleViolated, match="already submitted, awaiting review by 4401"):
        submit(sent)
    with pytest.raises(RuleViolated, match="accepted and locked"):
        submit([*sent, *review(sent)])


@pytest.mark.parametrize("figures, said", [
    ({**FIGURES, "children_paired": 11}, "coverage over 100 %: children_paired 11 > children 10"),
    ({**FIGURES, "children_paired_category_left_behind": 7}, "children_paired_category_left_behind 7"),
    ({**FIGURES, "fund_balance_fen": -100}, "below zero cannot be submitted: fund_balance_fen"),
])
def test_figures_that_cannot_be_are_refused(figures: dict, said: str) -> None:
    with pytest.raises(RuleViolated, match=said.replace("(", r"\(")):
        submit([], figures=figures)


def test_sub_offices_must_have_submitted_or_be_explained() -> None:
    city = dict(office=GUANGZHOU, expected=["440105", "440106", "440111"])
    with pytest.raises(RuleViolated, match=r"440106 \(not submitted\), 440111 \(returned\)"):
        submit([], **city, submitted={"440105": ACCEPTED, "440111": RETURNED})
    [event] = submit([], **city, submitted={"440105": ACCEPTED, "440111": SUBMITTED},
                     explanations={"440106": "换届，数据下月补报"})
    assert event.sub_offices == {"440105": "accepted", "440106": "explained", "440111": "submitted"}
    assert event.explanations == {"440106": "换届，数据下月补报"}
    assert event.deadline == date(2026, 12, 10)  # a city's day


def test_an_explanation_must_name_a_sub_office() -> None:
    with pytest.raises(InvalidCommand) as refused:
        submit([], office=GUANGZHOU, explanations={"510623": "不是下级"})
    assert refused.value.details[0].loc == ["explanations", 510623]


@pytest.mark.parametrize("office", [known_region("440105001101"), known_region("CN")])
def test_a_community_and_the_nation_submit_no_month(office) -> None:
    with pytest.raises(RuleViolated, match="does not submit"):
        submit([], office=office)


def test_a_month_of_an_office_that_submits_none_is_not_reviewed() -> None:
    for office in (known_region("CN"), known_region("440105001101")):
        with pytest.raises(RuleViolated, match="submits no month"):
            domain.decide_review(submission_state([]), office, GUANGDONG, "2026-11", today=DECEMBER_3, reason=None)


def test_only_the_office_directly_above_reviews() -> None:
    sent = submit([])
    for other in (GUANGDONG, HAIZHU, known_region("4403")):
        with pytest.raises(Forbidden, match="directly above 440105 \\(4401\\)"):
            review(sent, reviewer=other)


def test_a_return_needs_a_reason_and_the_office_submits_again() -> None:
    sent = submit([])
    with pytest.raises(InvalidCommand, match="reason"):
        review(sent, reason="  ")
    [returned] = review(sent, reason="结对数与上月不符，请核对")
    assert isinstance(returned, SubmissionReturned) and returned.reviewer == "4401"
    assert submission_state([*sent, returned]).status == RETURNED
    [again] = submit([*sent, returned], figures={**FIGURES, "children_paired": 7})
    assert (again.round, again.figures["children_paired"]) == (2, 7)


def test_nothing_to_review_before_a_submission_nor_after_a_review() -> None:
    with pytest.raises(NotFound, match="has not submitted 2026-11"):
        review([])
    sent = submit([])
    accepted = [*sent, *review(sent)]
    with pytest.raises(RuleViolated, match="is accepted, not awaiting review"):
        review(accepted, reason="晚了")


def test_an_accepted_month_is_locked_and_adjusted_by_its_deltas() -> None:
    sent = submit([])
    [accepted] = review(sent)
    assert isinstance(accepted, SubmissionAccepted)
    history = [*sent, accepted]
    assert adjust(history, dict(FIGURES)) == []  # nothing changed, nothing recorded
    [adjusted] = adjust(history, {**FIGURES, "activities": 13})
    assert isinstance(adjusted, MonthAdjusted)
    assert (adjusted.deltas, adjusted.figures["activities"]) == ({"activities": 1}, 13)
    [again] = adjust([*history, adjusted], {**FIGURES, "activities": 15, "children": 11})
    assert again.deltas == {"activities": 2, "children": 1}  # since the last adjustment
    assert submission_state([*history, adjusted, again]).status == ACCEPTED


def test_a_month_not_accepted_is_not_adjusted() -> None:
    for given in ([], submit([])):
        with pytest.raises(RuleViolated, match="only an accepted month is adjusted"):
            adjust(given, FIGURES)
    assert submission_state([]).status == NONE


def test_deadlines_by_level_and_as_configured() -> None:
    assert [deadline("2026-12", level) for level in (FederationLevel.street, FederationLevel.district,
                                                     FederationLevel.city, FederationLevel.province)] == [
        date(2027, 1, 3), date(2027, 1, 5), date(2027, 1, 10), date(2027, 1, 15)]
    days = parse_days("district=7, city=12")
    assert (days[FederationLevel.district], days[FederationLevel.city], days[FederationLevel.province]) == (7, 12, 15)
    for bad in ("community=3", "district=40", "district"):
        with pytest.raises(ValueError):
            parse_days(bad)
