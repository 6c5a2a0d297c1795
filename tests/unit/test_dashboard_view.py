"""The dashboard's pure parts: labels from the catalogs in both languages, Babel's numbers, the
breadcrumbs that start at the operator's office, tiers named and red first, paging, the live
stream's change detection."""

from __future__ import annotations

import json
from datetime import date

from contracts.regions import parse_region
from services.dashboard.i18n import CATALOGS, DEFAULT, Translator, language_of
from services.dashboard.live import changes
from services.dashboard.view import (breadcrumbs, by_tier, cards, chart_data, live_values, paging, previous_month_end,
                                     rows_of, safe_next, table)

ZH, EN = Translator("zh-CN"), Translator("en")
STATS = {"region": "440105000000", "level": "district", "name": "海珠区", "children": 1234, "coverage": 0.456,
         "subregions": [{"region": "440105001000", "name": "赤岗街道", "children": 3, "coverage": 1.0}]}


def test_every_language_has_every_label_of_the_default() -> None:
    for path in CATALOGS.glob("*.json"):  # <lang>.json, and each area's <lang>.<area>.json
        area = path.name.removesuffix(".json").partition(".")[2]
        default = json.loads((CATALOGS / f"{DEFAULT}{'.' + area if area else ''}.json").read_text(encoding="utf-8"))
        assert set(json.loads(path.read_text(encoding="utf-8"))) == set(default), path.name


def test_chinese_by_default_english_by_the_cookie() -> None:
    assert language_of(None) == language_of("fr") == "zh-CN"
    assert language_of("en") == "en"
    assert ZH.gettext("login.title") == "登录" and EN.gettext("login.title") == "Sign in"
    assert EN.gettext("no.such.key") == "no.such.key"
    assert EN.gettext("region.as_of", day="2026-06-01") == "As of 2026-06-01"


def test_numbers_are_formatted_by_babel() -> None:
    assert ZH.number(1234567) == "1,234,567"
    assert EN.percent(0.456) == "45.6%"
    assert ZH.figure(12345, "fen") == "123.45"
    assert ZH.number(None) == "–"


def test_cards_name_the_figures_in_the_language() -> None:
    shown = {card.key: (card.label, card.value) for card in cards(STATS, EN)}
    assert shown["children"] == ("Children on file", "1,234")
    assert shown["coverage"] == ("Pairing coverage", "45.6%")
    assert cards(STATS, ZH)[0].label == "在册儿童"
    assert live_values(STATS, ZH)["sub:440105001000:coverage"] == "100%"


def test_breadcrumbs_start_at_her_office() -> None:
    community = parse_region("440105001101")
    assert [name for _, name in breadcrumbs(parse_region("440105"), community, ZH)] == ["海珠区", "赤岗街道", community.name]
    assert breadcrumbs(parse_region("CN"), parse_region("44"), EN)[0] == ("CN", "National")


def test_tiers_are_named_and_red_comes_first() -> None:
    rows = by_tier([{"child_id": "a", "tier": "yellow"}, {"child_id": "b"}, {"child_id": "c", "tier": "red"}])
    assert [row["child_id"] for row in rows] == ["c", "a", "b"]
    shown = table(rows, ZH)
    assert shown["columns"] == ["儿童编号", "风险等级"]
    assert shown["rows"][0][1] == {"key": "tier", "text": "红色（最紧急）", "tier": "red"}
    assert rows_of({"region": "x", "children": [{"a": 1}]}) == [{"a": 1}]


def test_paging_and_local_redirects_only() -> None:
    assert paging(0, 25) == {"page": 1, "previous": None, "next": 25, "limit": 25, "total": None}
    assert paging(50, 3)["next"] is None and paging(50, 3)["previous"] == 25
    assert paging(0, 25, total=25)["next"] is None and paging(25, 25, total=60)["next"] == 50
    assert safe_next("/r/44") == "/r/44"
    assert safe_next("//evil.example") == safe_next("https://evil.example") == safe_next(None) == "/"


async def test_the_live_stream_sends_what_changed_and_ends_when_reading_fails() -> None:
    answers = iter([{"kpi:children": "1"}, {"kpi:children": "2"}, None])
    positions = iter([1, 1, 2, 3, 4, 5])

    async def figures():
        return next(answers)

    async def position():
        return next(positions)

    async def gone():
        return False

    sent = [line async for line in changes({"kpi:children": "1"}, figures, position, 0, gone)]
    assert sent[0].startswith("retry:")
    assert sent[1] == 'event: figures\ndata: {"kpi:children": "1"}\n\n'  # all of them, on (re)connecting
    assert sent[2] == ": idle\n\n"
    assert 'event: figures\ndata: {"kpi:children": "2"}\n\n' in sent
    assert sent[-1].startswith("event: expired")


async def test_a_live_stream_ends_after_its_lifetime() -> None:
    async def figures():
        return {"kpi:children": "1"}

    async def gone():
        return False

    sent = [line async for line in changes({}, figures, None, 0.01, gone, lifetime=0.05)]
    assert len([line for line in sent if line.startswith("event: figures")]) == 2


def test_cards_say_the_change_on_the_previous_month() -> None:
    before = {"children": 1231, "coverage": 0.4}
    shown = {card.key: card.change for card in cards(STATS, ZH, before)}
    assert shown["children"] == "较上月 +3"
    assert {card.key: card.change for card in cards(STATS, EN, before)}["coverage"] == "vs last month +5.6%"
    assert cards(STATS, EN, {"children": 2000})[0].change == "vs last month -766"
    assert cards(STATS, ZH)[0].change is None  # without last month's figures: no change said
    assert previous_month_end(date(2026, 3, 15)) == date(2026, 2, 28)
    assert previous_month_end(date(2026, 1, 1)) == date(2025, 12, 31)


def test_the_charts_hold_what_the_answers_hold_and_name_the_tiers() -> None:
    stats = {**STATS, "children_tier_red": 2, "children_tier_blue": 1, "wishes_submitted": 5, "wishes_pledged": 3,
             "wishes_fulfilled": 1,
             "compliance": {"month": "2026-05", "pairs": 4, "rules": {"monthly_call": {"share_met": 0.75},
                                                                      "reading": {"share_met": 0.25}}}}
    series = {"year": 2026, "months": [{"month": "2026-01", "activities_kind_phone_call": 2, "activities_kind_reading": 0},
                                       {"month": "2026-02", "activities_kind_phone_call": 1, "activities_kind_reading": 3}]}
    data = chart_data(stats, series, ZH)
    assert data["tiers"]["names"] == ["红色（最紧急）", "蓝色"] and data["tiers"]["values"] == [[2, 1]]
    assert data["wishes"]["values"] == [[5, 3, 1]] and data["wishes"]["names"][0] == "提交心愿"
    assert data["compliance"]["values"] == [[0.75, 0.25]] and data["compliance"]["texts"] == [["75%", "25%"]]
    assert data["activities"]["stack"] and data["activities"]["values"] == [[2, 1], [0, 3]]
    assert data["coverage"]["texts"] == [["100%"]]
    bare = chart_data({"region": "x"}, None, EN)
    assert bare == {}  # nothing to draw: every chart hidden
    assert "compliance" not in chart_data({**stats, "compliance": {"pairs": 0, "rules": {"reading": {}}}}, None, EN)


def test_pairs_link_to_their_timelines() -> None:
    shown = table([{"pair_id": "P-1", "child_id": "c-1"}], ZH)
    assert shown["rows"][0][0]["pair"] and shown["rows"][0][1]["child"]
