"""Named periods and the span a request asks for, pure: built-in days, aliases, per-year settings
(a file in the data directory or AIXIN_PERIODS), and every way a request can be wrong."""

from __future__ import annotations

import json
from datetime import date

import pytest

from contracts.periods import PeriodError, Span, check_settings, latest_year, load_settings, requested, span_of

TODAY = date(2026, 12, 7)


def test_built_in_periods_and_their_english_aliases() -> None:
    assert span_of("寒假", 2026) == Span(date(2026, 1, 20), date(2026, 2, 28), "寒假")
    assert span_of("winter", 2028).end == date(2028, 2, 29)  # to February's last day, leap or not
    assert span_of("summer", 2025) == Span(date(2025, 7, 1), date(2025, 8, 31), "暑假")
    assert span_of("June1", 2026) == Span(date(2026, 6, 1), date(2026, 6, 1), "六一")
    assert span_of("暑假", 2025).days == 62


def test_settings_set_a_years_days_a_default_and_periods_of_their_own() -> None:
    settings = check_settings({"寒假": {"2027": ["2027-01-25", "2027-03-01"], "default": ["01-18", "02-00"]},
                               "春季学期": {"default": ["03-01", "06-30"]}})
    assert span_of("winter", 2027, settings) == Span(date(2027, 1, 25), date(2027, 3, 1), "寒假")
    assert span_of("寒假", 2028, settings) == Span(date(2028, 1, 18), date(2028, 2, 29), "寒假")
    assert span_of("春季学期", 2026, settings).end == date(2026, 6, 30)
    assert span_of("暑假", 2026, settings).start == date(2026, 7, 1)  # not set: built in


@pytest.mark.parametrize("settings, says", [
    ([], "an object of periods"),
    ({"寒假": {"2027": ["2027-03-01", "2027-01-25"]}}, "before its first"),
    ({"寒假": {"27": ["01-20", "02-28"]}}, "not a year"),
    ({"寒假": {"default": ["01-32", "02-28"]}}, "not a day"),
    ({"寒假": {"default": "01-20"}}, "not [first day, last day]"),
])
def test_bad_settings_say_what_is_wrong(settings, says) -> None:
    with pytest.raises(PeriodError, match=says.replace("[", r"\[").replace("]", r"\]")):
        check_settings(settings)


def test_settings_come_from_the_environment_first_then_the_data_directory(tmp_path) -> None:
    (tmp_path / "periods.json").write_text(json.dumps({"暑假": {"default": ["07-10", "08-31"]}}), encoding="utf-8")
    assert load_settings(tmp_path, {})["暑假"]["default"] == ["07-10", "08-31"]
    inline = json.dumps({"暑假": {"default": ["07-05", "08-25"]}})
    assert load_settings(tmp_path, {"AIXIN_PERIODS": inline})["暑假"]["default"] == ["07-05", "08-25"]
    elsewhere = tmp_path / "other.json"
    elsewhere.write_text(json.dumps({"六一": {"2026": ["05-30", "06-01"]}}), encoding="utf-8")
    assert "六一" in load_settings(tmp_path, {"AIXIN_PERIODS": str(elsewhere)})
    assert load_settings(tmp_path / "none", {}) == {}
    (tmp_path / "periods.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PeriodError, match="periods.json is not JSON"):
        load_settings(tmp_path, {})


def test_a_request_names_a_period_or_two_days() -> None:
    assert requested(date(2026, 1, 20), date(2026, 2, 28), None, None, TODAY) == Span(date(2026, 1, 20), date(2026, 2, 28))
    assert requested(None, None, "暑假", 2025, TODAY) == Span(date(2025, 7, 1), date(2025, 8, 31), "暑假")
    assert requested(None, None, "winter", None, TODAY).start == date(2026, 1, 20)  # the latest begun
    assert requested(None, None, "winter", None, date(2027, 1, 10)).start == date(2026, 1, 20)
    # Under way: up to today.
    assert requested(None, None, "summer", None, date(2026, 7, 15)) == Span(date(2026, 7, 1), date(2026, 7, 15), "暑假")
    assert latest_year("六一", date(2026, 6, 1)) == 2026 and latest_year("六一", date(2026, 5, 31)) == 2025


@pytest.mark.parametrize("args, field, says", [
    ((date(2026, 3, 1), date(2026, 2, 1), None, None), "from", "is after to"),
    ((date(2026, 3, 1), None, None, None), "to", "both from and to"),
    ((None, None, None, None), "from", "both from and to"),
    ((date(2026, 3, 1), date(2026, 12, 8), None, None), "to", "after today"),
    ((None, None, "国庆", 2026), "period", "not a known period"),
    ((None, None, "寒假", 2027), "year", "after today"),
    ((date(2026, 3, 1), date(2026, 3, 2), "寒假", None), "period", "not both"),
    ((None, None, None, 2026), "year", "give period too"),
])
def test_a_bad_request_names_its_field_and_why(args, field, says) -> None:
    with pytest.raises(PeriodError, match=says) as raised:
        requested(*args, TODAY)
    assert raised.value.field == field
