"""Cadence rules, pure: the three profiles judged against what a pair did, as at a month's end."""

from __future__ import annotations

from datetime import date

import pytest

from services.activity.care.cadence import HAIMEN, HEILONGJIANG, NINGXIA, UnknownProfile, profile_for, profile_named
from services.activity.care.compliance import Done, PairFacts, evaluate
from services.activity.care.periods import month_bounds

JAN = date(2026, 1, 5)


def done(day: str, kind: str, children=("c1",), guardians: int = 0, evidence: int = 0) -> Done:
    return Done(f"{kind}-{day}", date.fromisoformat(day), kind, frozenset(children), guardians, evidence)


def pair(*activities: Done, children=("c1",), started=JAN, ended=None, wishes=(), births=None) -> PairFacts:
    return PairFacts("p1", children, started, ended, activities, tuple(wishes),
                     births if births is not None else {"c1": date(2016, 5, 20)})


def rules(report: dict) -> dict[str, dict]:
    return {r["rule"]: r for r in report["rules"]}


def statuses(report: dict) -> dict[str, str]:
    return {name: rule["status"] for name, rule in rules(report).items()}


def test_haimen_five_ones_all_met_in_may() -> None:
    facts = pair(done("2026-05-03", "phone_call", evidence=1), done("2026-03-08", "reading"),
                 done("2026-02-18", "holiday_activity"), done("2026-05-23", "birthday"),
                 wishes=[("c1", date(2026, 4, 2))])
    report = evaluate(HAIMEN, facts, "2026-05")
    assert statuses(report) == dict.fromkeys(("monthly_call", "reading", "holiday_activity", "birthday", "wish"), "met")
    assert report["compliant"] is True
    assert (rules(report)["monthly_call"]["count"], rules(report)["monthly_call"]["evidenced"]) == (1, 1)


def test_haimen_in_may_a_missed_call_fails_and_yearly_ones_are_still_open() -> None:
    facts = pair(done("2026-04-30", "phone_call"), done("2026-06-02", "reading"))
    report = evaluate(HAIMEN, facts, "2026-05")
    assert statuses(report) == {"monthly_call": "missed", "reading": "open", "holiday_activity": "open",
                                "birthday": "missed", "wish": "open"}
    assert report["compliant"] is False
    assert rules(report)["reading"]["count"] == 0  # June is after the month asked about


def test_the_birthday_counts_within_a_week_of_it_for_each_child() -> None:
    births = {"c1": date(2016, 5, 20), "c2": date(2018, 11, 2)}
    facts = pair(done("2026-05-27", "birthday", children=("c1", "c2")), done("2026-05-28", "birthday", children=("c1",)),
                 children=("c1", "c2"), births=births)
    birthday = rules(evaluate(HAIMEN, facts, "2026-05"))["birthday"]
    assert [(w["child_id"], w["count"], w["status"]) for w in birthday["windows"]] == [
        ("c1", 1, "met"), ("c2", 0, "open")]  # 28 May is eight days after c1's birthday
    assert birthday["status"] == "open"


def test_a_birthday_on_29_february_is_kept_on_28_february_in_a_common_year() -> None:
    facts = pair(done("2026-03-06", "birthday"), births={"c1": date(2016, 2, 29)})
    [window] = rules(evaluate(HAIMEN, facts, "2026-03"))["birthday"]["windows"]
    assert (window["start"], window["end"], window["status"]) == ("2026-02-21", "2026-03-07", "met")


def test_heilongjiang_weeks_belong_to_the_month_of_their_thursday() -> None:
    calls = [done(d, "phone_call") for d in ("2026-05-04", "2026-05-12", "2026-05-19", "2026-05-31")]
    facts = pair(*calls, done("2026-05-09", "home_visit"), done("2026-04-11", "study_trip"))
    report = evaluate(HEILONGJIANG, facts, "2026-05")
    weekly = rules(report)["weekly_contact"]
    assert [(w["start"], w["count"]) for w in weekly["windows"]] == [
        ("2026-05-04", 2), ("2026-05-11", 1), ("2026-05-18", 1), ("2026-05-25", 1)]
    assert statuses(report) == {"weekly_contact": "met", "monthly_visit": "met",
                                "quarterly_accompaniment": "met", "yearly_wish": "open"}


def test_heilongjiang_a_week_without_contact_is_missed_and_a_week_running_past_the_month_open() -> None:
    facts = pair(done("2026-04-27", "phone_call"), done("2026-05-12", "phone_call"))
    weekly = rules(evaluate(HEILONGJIANG, facts, "2026-04"))["weekly_contact"]
    # April 2026: Thursdays 2, 9, 16, 23, 30; the last week ends on 3 May.
    assert [w["status"] for w in weekly["windows"]] == ["missed", "missed", "missed", "missed", "met"]
    quarter = rules(evaluate(HEILONGJIANG, facts, "2026-05"))["quarterly_accompaniment"]
    assert (quarter["status"], quarter["windows"][0]["end"]) == ("open", "2026-06-30")


def test_ningxia_needs_the_guardian_monthly_and_the_child_weekly() -> None:
    weekly = [done(d, "phone_call") for d in ("2026-05-05", "2026-05-13", "2026-05-20", "2026-05-26")]
    without_guardian = evaluate(NINGXIA, pair(*weekly), "2026-05")
    assert statuses(without_guardian) == {"weekly_child_contact": "met", "monthly_guardian_contact": "missed"}
    guardian_call = done("2026-05-15", "phone_call", children=(), guardians=1)
    assert evaluate(NINGXIA, pair(*weekly, guardian_call), "2026-05")["compliant"] is True


def test_a_pair_active_for_less_than_half_a_period_is_not_due_then() -> None:
    late = evaluate(HAIMEN, pair(started=date(2026, 5, 20)), "2026-05")
    assert rules(late)["monthly_call"]["status"] == "not_due"
    assert rules(late)["reading"]["status"] == "open"  # still time in the year
    ended = evaluate(HEILONGJIANG, pair(done("2026-05-05", "phone_call"), ended=date(2026, 5, 13)), "2026-05")
    assert [w["status"] for w in rules(ended)["weekly_contact"]["windows"]] == ["met", "not_due", "not_due", "not_due"]
    assert rules(ended)["monthly_visit"]["status"] == "not_due"


def test_a_fulfilled_wish_counts_for_its_own_child() -> None:
    facts = pair(children=("c1", "c2"), wishes=[("c2", date(2026, 3, 1)), ("c2", date(2025, 12, 1))])
    wish = rules(evaluate(HAIMEN, facts, "2026-12"))["wish"]
    assert [(w["child_id"], w["count"], w["status"]) for w in wish["windows"]] == [("c1", 0, "missed"), ("c2", 1, "met")]


def test_profiles_are_configured_by_region_and_by_name() -> None:
    assert profile_for("320614104001").name == "haimen"
    assert profile_for("230100000000").name == "heilongjiang"
    assert profile_for("640100000000").name == "ningxia"
    assert profile_for("440105001101").name == "haimen"  # the default
    with pytest.raises(UnknownProfile, match="known: haimen"):
        profile_named("guizhou")
    with pytest.raises(ValueError):
        month_bounds("2026-5")
    assert month_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
