"""How `aixin stats` shows figures: in zh-CN by default or English, numbers with the locale's
thousands separators (Babel), money in yuan, shares as percentages, one table per view."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from rich import box
from rich.table import Column, Table

from contracts.regions import parse_region
from services.activity.care.cadence import profile_named
from services.projections.figures.catalogue import BY_KEY, FIGURES, TOPICS, label

LOCALES = {"zh": "zh_CN", "en": "en"}
WORDS = {
    "zh": {"topic": "主题", "figure": "指标", "value": "数值", "as_of": "截至", "region": "区划",
           "total": "合计", "this_level": "本级", "hidden": "{n} 个下级区划暂无数据，未列出", "zero": "{n} 项指标各月均为 0，未列出",
           "compliance": "五个一", "pairs": "参评结对", "all_met": "各项全部达标", "compliant": "无未达标项",
           "met": "达标率", "month": "{m}月", "five_ones": "五个一达标", "series": "{year} 年逐月",
           "span": "{start} 至 {end}（流量为期内合计，存量为期末）", "at_start": "期初"},
    "en": {"topic": "topic", "figure": "figure", "value": "value", "as_of": "as of", "region": "region",
           "total": "total", "this_level": "(this level)", "hidden": "{n} subregions with no figures not shown",
           "zero": "{n} figures zero in every month not shown",
           "compliance": "five ones", "pairs": "pairs judged", "all_met": "all items met",
           "compliant": "nothing missed", "met": "met", "five_ones": "five ones", "month": "{m:02d}", "series": "{year}, month by month",
           "span": "{start} to {end} (flows summed over it, stocks at its end)", "at_start": "at start"},
}
# The drill-down's figures, under short headings so that a row per sub-region fits a terminal.
DRILL_DOWN = {"children": ("儿童", "children"), "children_paired": ("已结对", "paired"),
              "coverage": ("覆盖率", "coverage"), "volunteers": ("志愿者", "volunteers"),
              "activities": ("活动", "activities"), "service_hours": ("服务小时", "hours")}


def _code(result: dict) -> str:
    return parse_region(result["region"]).prefix or result["region"]


def number(value: float, unit: str, lang: str) -> str:
    locale = LOCALES[lang]
    if unit == "fen":
        return format_decimal(value / 100, format="#,##0.00", locale=locale)
    if unit == "share":
        return format_percent(value, format="#,##0.0%", locale=locale)
    if unit == "hours":
        return format_decimal(value, format="#,##0.0", locale=locale)
    return format_decimal(value, locale=locale)


def shown_figure(key: str, value: float, lang: str) -> str:
    return number(value, BY_KEY[key].unit, lang)


def _rule_label(profile: str, rule: str, lang: str) -> str:
    found = next(r for r in profile_named(profile).rules if r.name == rule)
    zh, _, en = found.label.partition(" ")
    return en if lang == "en" else zh


def compliance_lines(compliance: dict, lang: str) -> list[tuple[str, str]]:
    """(label, value) of the five-ones figures of one region."""
    w = WORDS[lang]
    lines = [(f"{w['pairs']} ({compliance['month']})", number(compliance["pairs"], "count", lang))]
    for rule, counts in compliance["rules"].items():
        lines.append((f"{_rule_label(compliance['profile'], rule, lang)} {w['met']}",
                      number(counts["share_met"], "share", lang)))
    lines.append((w["all_met"], f"{number(compliance['all_met'], 'count', lang)} "
                                f"({number(compliance['share_all_met'], 'share', lang)})"))
    lines.append((w["compliant"], f"{number(compliance['compliant'], 'count', lang)} "
                                  f"({number(compliance['share_compliant'], 'share', lang)})"))
    return lines


def _heading(result: dict, lang: str) -> str:
    w = WORDS[lang]
    if "from" not in result:
        return f"{result['name']} ({_code(result)}) · {w['as_of']} {result['as_of']}"
    named = f"{result['period']} · " if result.get("period") else ""
    return f"{result['name']} ({_code(result)}) · {named}{w['span'].format(start=result['from'], end=result['to'])}"


def figures_table(result: dict, lang: str) -> Table:
    """Every figure by topic; over a period, the stocks at its start beside."""
    w, opening = WORDS[lang], result.get("at_start")
    extra = [Column(w["at_start"], justify="right")] if opening is not None else []
    table = Table(w["topic"], w["figure"], Column(w["value"], justify="right"), *extra, title=_heading(result, lang))
    for topic in TOPICS:
        figures = [f for f in FIGURES if f.topic == topic.key]
        for index, figure in enumerate(figures):
            name = topic.en if lang == "en" else topic.zh
            before = [] if opening is None else [
                shown_figure(figure.key, opening[figure.key], lang) if figure.key in opening else ""]
            table.add_row(name if index == 0 else "", label(figure.key, lang),
                          shown_figure(figure.key, result[figure.key], lang), *before,
                          end_section=index == len(figures) - 1)
    for index, (name, value) in enumerate(compliance_lines(result["compliance"], lang)):
        table.add_row(w["compliance"] if index == 0 else "", name, value)
    return table


def region_label(row: dict, lang: str) -> str:
    if row["name"] == "(this level)":
        return WORDS[lang]["this_level"]
    return f"{row['name']} {parse_region(row['region']).prefix}"


def drill_down_table(result: dict, lang: str) -> tuple[Table, int]:
    """The direct sub-regions that have figures, with the headline figures; and how many had none."""
    w = WORDS[lang]
    table = Table(Column(w["region"], no_wrap=True),
                  *(Column(DRILL_DOWN[k][lang == "en"], justify="right") for k in DRILL_DOWN),
                  Column(w["five_ones"], justify="right"), box=box.SIMPLE_HEAD, collapse_padding=True)
    table.add_row(f"[bold]{w['total']}", *(f"[bold]{shown_figure(k, result[k], lang)}" for k in DRILL_DOWN),
                  f"[bold]{number(result['compliance']['share_all_met'], 'share', lang)}")
    shown = [row for row in result["subregions"]
             if any(row[f.key] for f in FIGURES) or row["compliance"]["pairs"]]
    for row in shown:
        table.add_row(region_label(row, lang), *(shown_figure(k, row[k], lang) for k in DRILL_DOWN),
                      number(row["compliance"]["share_all_met"], "share", lang))
    return table, len(result["subregions"]) - len(shown)


def series_tables(result: dict, lang: str, per_table: int = 6) -> tuple[list[Table], int]:
    """The months in tables of six, a row per figure that is not zero in every month; and how many
    figures were zero throughout."""
    w = WORDS[lang]
    months = result["months"]
    figures = [f for f in FIGURES if any(m[f.key] for m in months)]
    tables = []
    for start in range(0, len(months), per_table):
        part = months[start:start + per_table]
        table = Table(w["figure"], *(Column(w["month"].format(m=int(m["month"][5:])), justify="right") for m in part),
                      box=box.SIMPLE_HEAD,
                      title=f"{result['name']} ({_code(result)}) · {w['series'].format(year=result['year'])}")
        for figure in figures:
            table.add_row(label(figure.key, lang), *(shown_figure(figure.key, m[figure.key], lang) for m in part))
        table.add_row(f"{w['compliance']} {w['all_met']}",
                      *(number(m["compliance"]["share_all_met"], "share", lang) for m in part))
        tables.append(table)
    return tables, len(FIGURES) - len(figures)
