"""What the pages show, worked out from the API's answers with no I/O: the KPI cards, the
breadcrumbs (from the caller's office down, nothing above it), the sub-region rows, the work lists'
tables (tiers named, red first) and paging."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from contracts.regions import Region, parse_region, region_name
from services.dashboard.i18n import Translator
from services.projections.figures.catalogue import FIGURES

FIVE_ONES = "five_ones"  # its card: the share of this month's pairs that missed no rule (judged so far)
UNITS = {figure.key: figure.unit for figure in FIGURES} | {FIVE_ONES: "share"}
NAMES = {figure.key: (figure.zh, figure.en) for figure in FIGURES}
KPIS = ("children", "children_paired", "coverage", "active_pairs", "volunteers", "volunteers_trained",
        "activities", "wishes_open", "reminders_open", FIVE_ONES, "wishes_fulfilled", "funds_raised_fen",
        "service_hours", "person_times", "stations_open", "teams")
TABLE_FIGURES = ("children", "children_paired", "coverage", "volunteers", "reminders_open")
TIER_ORDER = ("red", "orange", "yellow", "blue")
TIER_FIELDS = ("tier", "risk_tier")
PAGE = 25


def figure_name(key: str, t: Translator) -> str:
    if key not in NAMES:  # a card of the page's own (the five-ones): named by the catalog
        return t.label(f"kpi.{key}", key)
    zh, en = NAMES[key]
    return zh if t.lang == "zh-CN" else en[:1].upper() + en[1:]


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    change: str | None = None  # "较上月 +3": the figure now against the last day of the month before


def previous_month_end(day: date) -> date:
    """The last day of the month before `day`'s (the day the month-change is reckoned from)."""
    return day.replace(day=1) - timedelta(days=1)


def cards(stats: dict, t: Translator, before: dict | None = None) -> list[Card]:
    """The KPI cards; with `before` (the figures as of the end of the previous month) each card
    also says how much its figure moved since."""
    shown = []
    for key in KPIS:
        if key not in stats and not (key == FIVE_ONES and "compliance" in stats):
            continue
        unit = UNITS.get(key, "count")
        now, then = kpi_value(stats, key), kpi_value(before or {}, key)
        change = None
        if before is not None and _number(now) and _number(then):
            change = t.gettext("kpi.change", delta=t.change(now - then, unit))
        shown.append(Card(key, figure_name(key, t), t.figure(now, unit), change))
    return shown


def kpi_value(stats: dict, key: str) -> object:
    """A card's figure; the five-ones' is none where no pair was asked about (not 0 %)."""
    compliance = stats.get("compliance") if key == FIVE_ONES else None
    if isinstance(compliance, dict):
        return compliance.get("share_compliant") if compliance.get("pairs") else None
    return stats.get(key)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def live_values(stats: dict, t: Translator, before: dict | None = None, series: dict | None = None
                ) -> dict[str, object]:
    """Every number a region page shows, by its `data-live` key (a card's change on the previous
    month by `change:<key>`, a chart's data by `chart:<id>`, the monthly ones from `series`): what
    the live stream sends."""
    shown = cards(stats, t, before)
    values: dict[str, object] = {f"kpi:{card.key}": card.value for card in shown}
    values.update({f"change:{card.key}": card.change for card in shown if card.change})
    for row in stats.get("subregions", []):
        for key in TABLE_FIGURES:
            values[f"sub:{row['region']}:{key}"] = share_cell(row, key, t)
    drawn = chart_data(stats, series, t)
    for name in ("subregions", "coverage", "wishes", "tiers", "compliance", "series", "activities"):
        if name in drawn:
            values[f"chart:{name}"] = drawn[name]
    return values


def place_name(region: Region, t: Translator) -> str:
    return t.gettext("level.national") if region.level.value == "national" else region_name(region)


def breadcrumbs(office: Region, region: Region, t: Translator) -> list[tuple[str, str]]:
    """(code, name) from the caller's office down to the region: nothing above her office."""
    chain = region.ancestors()
    start = next(i for i, r in enumerate(chain) if r.code == office.code or r.level == office.level)
    return [(r.code, place_name(r, t)) for r in chain[start:]]


NO_BASE, BASES = "—", {"coverage": "children"}  # a share of nothing is no 0 %: share -> its base


def share_cell(row: dict, key: str, t: Translator) -> str:
    """A sub-region's figure as its table shows it (the home page's, services.dashboard.home)."""
    if key in BASES and not row.get(BASES[key]):
        return NO_BASE
    return t.figure(row.get(key), UNITS.get(key, "count"))


TIER_COLOURS = {"red": "#c62828", "orange": "#ef6c00", "yellow": "#f9a825", "blue": "#1565c0"}
WISH_STAGES = ("wishes_submitted", "wishes_pledged", "wishes_fulfilled")
KIND_PREFIX = "activities_kind_"


def chart_data(stats: dict, series: dict | None, t: Translator) -> dict:
    """Each chart's data, by its id (the page draws `chart-<id>`); a chart whose data the answers
    do not hold is left out, and the page hides it. Categories are named in the page's language
    (tiers by name, not by colour alone); `texts` are the values as Babel writes them."""
    return {**subregion_charts(stats, t), **figure_charts(stats, t), **series_charts(series, t)}


def subregion_charts(stats: dict, t: Translator) -> dict:
    """The charts comparing the sub-regions the table shows: children, those paired, coverage."""
    rows = [r for r in stats.get("subregions", []) if r["region"] != stats.get("region") and any(map(r.get, TABLE_FIGURES))]
    data: dict = {}
    if rows:
        data["subregions"] = {"names": [r["name"] for r in rows],
                              "legend": [figure_name("children", t), figure_name("children_paired", t)],
                              "values": [[r.get("children", 0) for r in rows],
                                         [r.get("children_paired", 0) for r in rows]],
                              "title": t.gettext("chart.subregions")}
    based = [r for r in rows if r.get("children")]  # no share of nothing
    if any("coverage" in r for r in based):
        shares = [r.get("coverage") or 0 for r in based]
        data["coverage"] = {"names": [r["name"] for r in based], "legend": [figure_name("coverage", t)],
                            "values": [shares], "texts": [[t.percent(v) for v in shares]], "share": True,
                            "title": t.gettext("chart.coverage")}
    return data


def figure_charts(stats: dict, t: Translator) -> dict:
    """The charts of the region's own figures: the month's compliance, wishes by stage, children by tier."""
    compliance = stats.get("compliance") if isinstance(stats.get("compliance"), dict) else {}
    rules = compliance.get("rules") if isinstance(compliance.get("rules"), dict) else {}
    data: dict = {}
    if rules and compliance.get("pairs"):
        shares = [rule.get("share_met", 0) for rule in rules.values()]
        data["compliance"] = {"names": [t.label(f"rule.{name}", name) for name in rules],
                              "legend": [t.gettext("chart.share_met")], "values": [shares],
                              "texts": [[t.percent(v) for v in shares]], "share": True,
                              "title": t.gettext("chart.compliance", month=compliance.get("month", ""))}
    if any(key in stats for key in WISH_STAGES):
        counts = [stats.get(key) or 0 for key in WISH_STAGES]
        data["wishes"] = {"names": [figure_name(key, t) for key in WISH_STAGES], "legend": [t.gettext("chart.wishes")],
                          "values": [counts], "texts": [[t.number(v) for v in counts]],
                          "title": t.gettext("chart.wishes")}
    tiers = [tier for tier in TIER_ORDER if f"children_tier_{tier}" in stats]
    if tiers:
        counts = [stats.get(f"children_tier_{tier}") or 0 for tier in tiers]
        data["tiers"] = {"names": [t.gettext(f"tier.{tier}") for tier in tiers], "legend": [t.gettext("chart.tiers")],
                         "values": [counts], "texts": [[t.number(v) for v in counts]],
                         "colours": [TIER_COLOURS[tier] for tier in tiers], "title": t.gettext("chart.tiers")}
    return data


def series_charts(series: dict | None, t: Translator) -> dict:
    """The year's charts by month: children paired and pairs formed, and the activities by kind."""
    months = (series or {}).get("months") or []
    if not months:
        return {}
    data = {"series": {"months": [m["month"] for m in months],
                       "legend": [figure_name("children_paired", t), figure_name("pairs_formed", t)],
                       "values": [[m.get("children_paired", 0) for m in months],
                                  [m.get("pairs_formed", 0) for m in months]],
                       "title": t.gettext("chart.series", year=series.get("year"))}}
    kinds = sorted({key for m in months for key in m if key.startswith(KIND_PREFIX)})
    busy = [key for key in kinds if any(m.get(key) for m in months)] or kinds
    if busy:
        data["activities"] = {"months": [m["month"] for m in months], "stack": True,
                              "legend": [figure_name(key, t) for key in busy],
                              "values": [[m.get(key, 0) for m in months] for key in busy],
                              "title": t.gettext("chart.activities", year=series.get("year"))}
    return data


def rows_of(answer: dict) -> list[dict]:
    """The list a work-list answer holds (whatever its key), its rows as dicts."""
    for value in answer.values():
        if isinstance(value, list) and all(isinstance(row, dict) for row in value):
            return value
    return []


def tier_of(row: dict) -> str | None:
    return next((row[f] for f in TIER_FIELDS if row.get(f) in TIER_ORDER), None)


def by_tier(rows: list[dict]) -> list[dict]:
    """Red first, then orange, yellow, blue, then rows without a tier; otherwise the API's order."""
    return sorted(rows, key=lambda row: TIER_ORDER.index(tier_of(row)) if tier_of(row) else len(TIER_ORDER))


TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")  # an instant (a day alone stays as it is)


def cell(value: object, t: Translator) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell(v, t)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(cell(v, t) for v in value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, str) and TIME.match(value):
        return t.moment(value.replace(" ", "T", 1))  # in China time, the zone named
    return t.number(value) if isinstance(value, int | float) else str(value)


def table(rows: list[dict], t: Translator) -> dict:
    """Columns (the union of the rows' keys, in order) and each row's cells; a tier is named."""
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    body = []
    for row in rows:
        cells = []
        for key in columns:
            value = row.get(key)
            if key in TIER_FIELDS and value in TIER_ORDER:
                cells.append({"key": key, "text": t.gettext(f"tier.{value}"), "tier": value})
            else:
                cells.append({"key": key, "text": cell(value, t), "child": key == "child_id" and bool(value),
                              "pair": key == "pair_id" and isinstance(value, str) and bool(value)})
        body.append(cells)
    return {"columns": [t.label(f"col.{key}", key) for key in columns], "rows": body}


def paging(offset: int, shown: int, limit: int = PAGE, total: int | None = None) -> dict:
    """The page's number and the offsets of the pages before and after it (None where there is none):
    by the answer's `total` where it says one, else a full page suggests there is more."""
    more = offset + shown < total if isinstance(total, int) else shown >= limit
    return {"page": offset // limit + 1, "previous": max(offset - limit, 0) if offset > 0 else None,
            "next": offset + limit if more else None, "limit": limit, "total": total}


def safe_next(path: str | None) -> str:
    """A local path to go back to (never another site): '/' unless it is one."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def region_or_none(code: str) -> Region | None:
    try:
        return parse_region(code)
    except ValueError:
        return None
