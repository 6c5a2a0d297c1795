"""The work lists' filters and files, the event labels and China time, with no I/O: a filter
outside the page's region or with a value the list cannot take is refused; the filters survive in
the pager's and export's links; a list's file is written by the read-side reports' writer (CSV in
UTF-8 with a BOM, XLSX); every event type has a label in both catalogs; times are in China time."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from contracts import event_types
from contracts.regions import parse_region
from services.api.figures_report import table_file
from services.dashboard.i18n import Translator, catalog
from services.dashboard.lists import LISTS, BadFilter, chosen, file_table, filter_choices
from services.dashboard.view import cell, live_values

ZH, EN = Translator("zh-CN"), Translator("en")
DISTRICT = parse_region("440105")


def test_filters_are_checked_against_the_list_and_the_region() -> None:
    how = chosen(LISTS["unpaired"], DISTRICT, {"within": "440105001000", "tier": "red"})
    assert how.within == "440105001000" and how.values == {"tier": "red"}
    assert how.query(offset=25) == "within=440105001000&tier=red&offset=25"
    assert chosen(LISTS["unpaired"], DISTRICT, {"within": "440105"}).within is None  # the region itself
    for bad in ({"tier": "purple"}, {"within": "440117001001"}, {"within": "not-a-code"}):
        with pytest.raises(BadFilter):
            chosen(LISTS["unpaired"], DISTRICT, bad)
    assert chosen(LISTS["places"], DISTRICT, {"tier": "red"}).values == {}  # a filter it lacks is ignored


def test_filter_values_are_named_in_the_pages_language() -> None:
    (name, choices), = filter_choices(LISTS["unpaired"], ZH)
    assert name == "tier" and choices[0] == ("red", "红色（最紧急）")
    assert dict(filter_choices(LISTS["concerns"], EN)[0][1])["schooling"]
    assert dict(filter_choices(LISTS["reminders"], ZH)[0][1])["contact_overdue"] == "逾期未联系"


def test_a_list_is_written_by_the_reports_writer() -> None:
    rows = [{"child_id": "c-1", "tier": "red", "days_overdue": 12, "children": ["c-1", "c-2"], "note": None}]
    headers, lines = file_table(rows, ZH)
    assert headers[:2] == ["儿童编号", "风险等级"] and lines == [["c-1", "红色（最紧急）", 12, "c-1, c-2", ""]]
    raw = table_file("csv", "未结对儿童", headers, lines)
    assert raw.startswith("\ufeff".encode()) and list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1][2] == "12"
    sheet = load_workbook(io.BytesIO(table_file("xlsx", "a/b: list", headers, lines))).active
    assert sheet.title == "a b  list" and sheet["C2"].value == 12 and sheet["A1"].value == "儿童编号"


def test_every_event_type_has_a_label_in_both_languages() -> None:
    for lang in ("zh-CN", "en"):
        assert {f"event.{name}" for name in event_types()} - catalog(lang).keys() == set(), lang
    assert ZH.event("ChildRegistered") == "登记儿童" and EN.event("ChildRegistered") == "Child registered"
    assert ZH.event("SomethingNew") == "SomethingNew"  # a type newer than the catalogs: by its name


def test_times_are_shown_in_china_time_with_the_zone_named() -> None:
    assert ZH.moment("2026-06-01T09:00:00Z") == "2026年6月1日 17:00:00 中国标准时间"
    english = EN.moment("2026-06-01T09:00:00+00:00")  # (CLDR's space before PM varies by version)
    assert english.startswith("Jun 1, 2026, 5:00:00") and english.endswith("PM China Standard Time")
    assert ZH.moment("2026-06-01T09:00:00") == ZH.moment("2026-06-01T09:00:00Z")  # naive: UTC, as logged
    assert ZH.moment("yesterday") == "yesterday" and cell("2026-06-01", ZH) == "2026-06-01"  # a day stays
    assert cell("2026-06-01T09:00:00Z", EN).endswith("China Standard Time")


def test_the_live_stream_carries_the_month_change_and_the_monthly_charts() -> None:
    stats = {"region": "440105000000", "children": 5, "subregions": []}
    series = {"year": 2026, "months": [{"month": "2026-06", "children_paired": 1, "pairs_formed": 1,
                                        "activities_kind_home_visit": 2}]}
    values = live_values(stats, ZH, {"children": 3}, series)
    assert values["change:children"] == "较上月 +2"
    assert values["chart:series"]["months"] == ["2026-06"] and values["chart:activities"]["values"] == [[2]]
    assert "change:children" not in live_values(stats, ZH)  # no month-end figures: no change said


def test_people_named_in_a_list_are_written_by_their_names() -> None:
    rows = [{"pair_id": "p-1", "child": {"child_id": "c-1", "name": "黄欣怡"},
             "volunteers": [{"volunteer_id": "v-1", "name": "高老师"}, {"volunteer_id": "v-2", "name": "张妈妈"}]}]
    _headers, lines = file_table(rows, ZH)
    assert lines == [["p-1", "黄欣怡", "高老师、张妈妈"]]
