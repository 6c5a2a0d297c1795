"""The five-ones compliance of a month not over yet is judged on the days elapsed: a period is
missed only once its last day is behind the day judged on, and only what was done by then counts;
and its figures: per rule how many pairs met it, how many met every rule, as shares."""

from __future__ import annotations

from datetime import date

from services.activity.care.cadence import HAIMEN, HEILONGJIANG
from services.activity.care.compliance import Done, PairFacts, evaluate
from services.projections.pair_compliance.figures import Tally

BORN = {"c1": date(2016, 9, 20)}


def facts(*activities: Done, started: date = date(2026, 1, 5)) -> PairFacts:
    return PairFacts("p1", ("c1",), started, None, activities, (), BORN)


def call(day: date, kind: str = "phone_call") -> Done:
    return Done(f"{kind}-{day}", day, kind, frozenset({"c1"}))


def status(report: dict, rule: str) -> str:
    return next(r["status"] for r in report["rules"] if r["rule"] == rule)


def test_this_months_call_is_open_until_the_month_is_over() -> None:
    nothing = facts()
    assert status(evaluate(HAIMEN, nothing, "2026-05", today=date(2026, 5, 20)), "monthly_call") == "open"
    assert status(evaluate(HAIMEN, nothing, "2026-05", today=date(2026, 5, 31)), "monthly_call") == "open"
    assert status(evaluate(HAIMEN, nothing, "2026-05", today=date(2026, 6, 1)), "monthly_call") == "missed"
    assert status(evaluate(HAIMEN, nothing, "2026-05"), "monthly_call") == "missed"  # as if it were over
    report = evaluate(HAIMEN, nothing, "2026-05", today=date(2026, 5, 20))
    assert report["compliant"] is True  # nothing missed yet


def test_a_weeks_contact_is_missed_once_the_week_is_over_and_the_current_week_is_open() -> None:
    # May 2026's weeks (those whose Thursday is in May) begin on 4, 11, 18 and 25 May; judged on
    # Wednesday 20 May, with a contact on the 12th only.
    report = evaluate(HEILONGJIANG, facts(call(date(2026, 5, 12))), "2026-05", today=date(2026, 5, 20))
    weeks = next(r for r in report["rules"] if r["rule"] == "weekly_contact")["windows"]
    assert [w["status"] for w in weeks] == ["missed", "met", "open", "open"]
    assert report["compliant"] is False


def test_only_what_was_done_by_the_day_judged_on_counts() -> None:
    done = facts(call(date(2026, 5, 25)))
    assert status(evaluate(HAIMEN, done, "2026-05", today=date(2026, 5, 20)), "monthly_call") == "open"
    assert status(evaluate(HAIMEN, done, "2026-05", today=date(2026, 5, 25)), "monthly_call") == "met"


def test_the_figures_count_pairs_per_rule_and_all_rules_met() -> None:
    tally = Tally(HAIMEN)
    everything = facts(call(date(2026, 5, 3)), call(date(2026, 3, 1), "reading"),
                       call(date(2026, 2, 18), "holiday_activity"))
    for report in (evaluate(HAIMEN, everything, "2026-05", date(2026, 5, 20)),
                   evaluate(HAIMEN, facts(), "2026-05", date(2026, 6, 2))):
        tally.add(report)
    figures = tally.figures()
    assert (figures["pairs"], figures["compliant"], figures["share_compliant"]) == (2, 1, 0.5)
    assert figures["rules"]["monthly_call"] == {"met": 1, "missed": 1, "open": 0, "not_due": 0, "share_met": 0.5}
    assert figures["all_met"] == 0  # the birthday (September) and the wish are still open
    assert Tally(HAIMEN).figures()["share_all_met"] == 0.0
