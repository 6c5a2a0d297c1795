"""The home page's figures, worked out from the API's answers: the programme's cards (the five-ones
compliance none where no pair was asked about, a change on last month for each), the sub-regions'
table with the empty rows folded, 「本级」 only where it holds something, 「—」 for a share of nothing,
sorted by any column; and the months whose report may be downloaded."""

from __future__ import annotations

from datetime import date

from services.dashboard.home import report_months, subregion_table
from services.dashboard.i18n import Translator
from services.dashboard.view import NO_BASE, cards

ZH, EN = Translator("zh-CN"), Translator("en")
ZERO = {"children": 0, "children_paired": 0, "coverage": 0, "volunteers": 0, "reminders_open": 0}


def row(code: str, name: str, **figures) -> dict:
    return {"region": code, "name": name, **ZERO, **figures}


STATS = {"region": "440105000000", "subregions": [
    row("440105000000", "本级"),
    row("440105001000", "赤岗街道", children=63, children_paired=49, coverage=0.7778, volunteers=52),
    row("440105002000", "新港街道", children=41, children_paired=26, coverage=0.6341, volunteers=35),
    row("440105003000", "昌岗街道"),
    row("440105004000", "滨江街道", volunteers=3),  # volunteers, no child: no coverage to speak of
]}


def test_empty_rows_are_folded_and_the_own_row_shows_only_with_something_in_it() -> None:
    table = subregion_table(STATS, ZH)
    assert [r["name"] for r in table.rows] == ["赤岗街道", "新港街道", "滨江街道"]
    assert table.folded == 1  # 昌岗街道; the empty own row is no sub-region left out
    with_own = subregion_table({**STATS, "subregions": [row("440105000000", "本级", volunteers=2), *STATS["subregions"][1:]]}, ZH)
    assert with_own.rows[0]["name"] == "本级" and with_own.rows[0]["own"]


def test_a_share_without_its_base_is_a_dash_not_zero_percent() -> None:
    cells = dict(subregion_table(STATS, EN).rows[2]["cells"])
    assert cells["coverage"] == NO_BASE and cells["volunteers"] == "3"
    assert dict(subregion_table(STATS, ZH).rows[0]["cells"])["coverage"] == "77.8%"


def test_a_column_sorts_either_way_with_the_rows_without_a_base_last() -> None:
    up = subregion_table(STATS, ZH, "coverage", descending=False)
    assert [r["name"] for r in up.rows] == ["新港街道", "赤岗街道", "滨江街道"]
    down = subregion_table(STATS, ZH, "coverage", descending=True)
    assert [r["name"] for r in down.rows] == ["赤岗街道", "新港街道", "滨江街道"]
    links = {key: link for key, _label, link in down.columns}
    assert links["coverage"].startswith("?sort=coverage&desc=0") and links["children"].startswith("?sort=children&desc=1")
    assert [r["name"] for r in subregion_table(STATS, ZH, "no-such-column").rows] == ["赤岗街道", "新港街道", "滨江街道"]


def test_the_programmes_cards_show_with_their_change_on_last_month() -> None:
    now = {"children": 10, "wishes_fulfilled": 4, "funds_raised_fen": 1_250_000, "service_hours": 12.5,
           "person_times": 30, "stations_open": 2, "teams": 3,
           "compliance": {"pairs": 8, "share_compliant": 0.5}}
    before = {"children": 10, "wishes_fulfilled": 1, "funds_raised_fen": 1_000_000, "service_hours": 2.5,
              "person_times": 10, "stations_open": 1, "teams": 3, "compliance": {"pairs": 0, "share_compliant": 0}}
    shown = {card.key: card for card in cards(now, ZH, before)}
    assert shown["five_ones"].label == "本月“五个一”达标率" and shown["five_ones"].value == "50%"
    assert shown["five_ones"].change is None  # last month no pair was asked about: no change to speak of
    assert shown["funds_raised_fen"].value == "12,500.00" and shown["funds_raised_fen"].change == "较上月 +2,500.00"
    assert shown["wishes_fulfilled"].change == "较上月 +3" and shown["teams"].change == "较上月 +0"
    assert cards({"compliance": {"pairs": 0, "share_compliant": 0}}, EN)[0].value == "–"


def test_the_report_months_are_this_one_and_those_before_it() -> None:
    assert report_months(date(2026, 2, 10), 3) == ["2026-02", "2026-01", "2025-12"]
