"""The 通报's rules, pure: an office's card thresholds (checked, folded, inherited from the office
above, from a month on) and the cards, scores and ranks they give its sub-offices."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.envelope import Actor, FederationLevel
from contracts.regions import parse_region
from contracts.reporting.bulletin import Card, CardThresholdsSet, SetCardThresholds
from services.reporting.bulletin.cards import Standing, card_counts, cards, days_late, measures, ranked, score
from services.reporting.bulletin.thresholds import (DEFAULTS, Thresholds, applying, decide_set_thresholds,
                                                    office_settings)
from services.shared.errors import InvalidCommand

ACTOR = Actor(operator_id="nt-approver", level=FederationLevel.city, region="320600000000")
NANTONG = parse_region("3206")
TODAY = date(2026, 12, 14)
DUE = date(2026, 12, 5)  # a district's November is due on 5 December


def setting(**fields) -> SetCardThresholds:
    return SetCardThresholds(actor=ACTOR, office="3206", **fields)


def test_an_office_sets_its_thresholds_from_this_month_keeping_what_it_did_not_name() -> None:
    [event] = decide_set_thresholds(office_settings([]), setting(coverage_yellow=90), office=NANTONG, today=TODAY)
    assert isinstance(event, CardThresholdsSet)
    assert (event.card_thresholds_id, event.region, event.from_month) == ("3206", "320600000000", "2026-12")
    assert (event.coverage_yellow, event.coverage_red, event.late_red_days) == (90, 60, 7)
    [later] = decide_set_thresholds(office_settings([event]), setting(overdue_red=30, from_month="2026-11"),
                                    office=NANTONG, today=TODAY)
    assert (later.coverage_yellow, later.overdue_red, later.from_month) == (90, 30, "2026-11")
    assert decide_set_thresholds(office_settings([event]), setting(from_month="2026-12"), office=NANTONG,
                                 today=TODAY) == []  # the same again changes nothing


@pytest.mark.parametrize(("fields", "field"), [
    ({"coverage_red": 85}, "coverage_red"), ({"compliance_yellow": 50}, "compliance_red"),
    ({"overdue_red": 5}, "overdue_red"), ({"late_yellow_days": 9}, "late_red_days"),
    ({"from_month": "2028-01"}, "from_month"), ({"from_month": "1999-12"}, "from_month"),
])
def test_red_is_the_stricter_card_and_the_month_a_sane_one(fields, field) -> None:
    with pytest.raises(InvalidCommand) as refused:
        decide_set_thresholds(office_settings([]), setting(**fields), office=NANTONG, today=TODAY)
    assert refused.value.details[0].loc == [field]


def test_a_village_supervises_no_one_and_thresholds_are_bounded() -> None:
    with pytest.raises(InvalidCommand, match="supervises no sub-office"):
        decide_set_thresholds(office_settings([]), SetCardThresholds(actor=ACTOR, office="320614100201"),
                              office=parse_region("320614100201"), today=TODAY)
    with pytest.raises(ValueError):
        setting(coverage_yellow=101)
    with pytest.raises(ValueError):
        setting(late_red_days=0)


def test_a_bulletin_takes_the_office_s_setting_of_its_month_else_the_nearest_office_above_s() -> None:
    strict, loose = Thresholds(coverage_yellow=95, coverage_red=90), Thresholds(coverage_yellow=50, coverage_red=40)
    settings = {"32": [("2026-01", strict)], "3206": [("2026-12", loose)]}
    assert applying(settings, NANTONG, "2026-11") == (strict, "32")  # Nantong's begin in December
    assert applying(settings, NANTONG, "2026-12") == (loose, "3206")
    assert applying(settings, parse_region("320614"), "2026-12") == (loose, "3206")
    assert applying(settings, parse_region("44"), "2026-12") == (DEFAULTS, None)
    # Of the settings that apply to a month, the one made last counts.
    settings["3206"].append(("2026-10", strict))
    assert applying(settings, NANTONG, "2026-12") == (strict, "3206")


def standing(code: str, **fields) -> Standing:
    base = dict(deadline=DUE, late_by=0, submitted_on=DUE, children=100, children_paired=90, pairs=50, pairs_compliant=45,
                active_pairs=50, contacts_overdue=2)
    return Standing(code, f"区{code}", **{**base, **fields})


def test_lateness_gives_blue_then_yellow_then_red_and_a_month_not_sent_red() -> None:
    def timeliness(**fields) -> list[tuple]:
        return [(j.card, j.reason, j.value) for j in cards(standing("320602", **fields), DEFAULTS, TODAY)
                if j.measure == "timeliness"]

    assert timeliness() == []
    assert timeliness(late_by=2) == [(Card.blue, "late", 2)]
    assert timeliness(late_by=3) == [(Card.yellow, "late", 3)]
    assert timeliness(late_by=7) == [(Card.red, "late", 7)]
    assert timeliness(late_by=None) == [(Card.red, "not_submitted", 9)]
    before = date(2026, 12, 3)  # not yet due: nothing, then a notice within three days of it
    assert cards(standing("320602", late_by=None), DEFAULTS, date(2026, 12, 1)) == []
    [notice] = cards(standing("320602", late_by=None), DEFAULTS, before)
    assert (notice.card, notice.reason, notice.value) == (Card.blue, "deadline_near", 2)
    assert days_late(standing("320602", late_by=None), before) is None


def test_coverage_five_ones_and_overdue_contacts_against_the_thresholds() -> None:
    weak = standing("320612", children_paired=55, pairs_compliant=35, contacts_overdue=6)
    assert [(j.card, j.measure, j.reason, j.value) for j in cards(weak, DEFAULTS, TODAY)] == [
        (Card.red, "coverage", "below_red", 55.0), (Card.yellow, "compliance", "below_yellow", 70.0),
        (Card.yellow, "overdue", "above_yellow", 12.0)]
    nothing = standing("320613", children=0, children_paired=0, pairs=0, pairs_compliant=0, active_pairs=0,
                       contacts_overdue=0)
    assert cards(nothing, DEFAULTS, TODAY) == []  # nothing to measure: no card but for timeliness
    not_awaited = standing("320613001", deadline=None, late_by=None)  # a town that sent nothing
    assert cards(not_awaited, DEFAULTS, TODAY) == [] and measures(not_awaited, TODAY)["timeliness"] is None
    assert measures(nothing, TODAY) == {"timeliness": 1.0, "coverage": None, "compliance": None, "overdue": None}
    own = Thresholds(coverage_yellow=50, coverage_red=40)
    assert [j.measure for j in cards(weak, own, TODAY)] == ["compliance", "overdue"]


def test_sub_offices_are_ranked_by_score_ties_by_code_and_carded_by_their_worst() -> None:
    rows = ranked([standing("320685", children_paired=55),  # weak coverage
                   standing("320612", late_by=None),  # not sent
                   standing("320602"), standing("320613"),  # equal: by code
                   standing("320614", late_by=1)], DEFAULTS, TODAY)
    assert [(r["rank"], r["region"], r["card"]) for r in rows] == [
        (1, "320602", None), (2, "320613", None), (3, "320614", "blue"), (4, "320685", "red"), (5, "320612", "red")]
    assert rows[0]["score"] == score({"timeliness": 1.0, "coverage": 0.9, "compliance": 0.9, "overdue": 0.96}) == 94.0
    assert rows[2]["score"] == 91.5 and rows[2]["days_late"] == 1
    assert rows[4]["cards"][0] == {"card": "red", "measure": "timeliness", "reason": "not_submitted", "value": 9}
    assert card_counts(rows) == {"blue": 1, "yellow": 0, "red": 2}
