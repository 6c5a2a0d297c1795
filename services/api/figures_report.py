"""A month's report as a file: XLSX with one sheet per topic (and the five-ones compliance, and the
service hours of each volunteer and team), one row per direct sub-region and a total, headers in
Chinese; or CSV, one table of every figure, in UTF-8 with a BOM (so that Excel reads it as such).
`table_file` writes any other read-side table (the dashboard's work lists) the same two ways."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from contracts.regions import parse_region
from services.activity.care.cadence import Profile
from services.projections.figures.catalogue import FIGURES, TOPICS, Figure
from services.shared.cells import append_row, csv_row

REPORT_FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "csv": "text/csv; charset=utf-8"}
CODE, NAME, TOTAL = "区划代码", "名称", "合计"
FORMATS = {"count": "#,##0", "fen": "#,##0.00", "share": "0.0%", "hours": "#,##0.0"}


def _code(region: str) -> str:
    return parse_region(region).prefix or region


def _value(figure: Figure, row: dict):
    value = row[figure.key]
    return round(value / 100, 2) if figure.unit == "fen" else value


def _compliance_columns(profile: Profile) -> list[tuple[str, str, Callable[[dict], float]]]:
    """(header, unit, value of a row's compliance figures)."""
    columns = [("参评结对数", "count", lambda c: c["pairs"])]
    for rule in profile.rules:
        zh = rule.label.split(" ")[0]
        columns += [(f"{zh}达标", "count", lambda c, n=rule.name: c["rules"][n]["met"]),
                    (f"{zh}未达标", "count", lambda c, n=rule.name: c["rules"][n]["missed"]),
                    (f"{zh}进行中", "count", lambda c, n=rule.name: c["rules"][n]["open"]),
                    (f"{zh}达标率", "share", lambda c, n=rule.name: c["rules"][n]["share_met"])]
    return columns + [("各项全部达标", "count", lambda c: c["all_met"]),
                      ("全部达标率", "share", lambda c: c["share_all_met"]),
                      ("无未达标项", "count", lambda c: c["compliant"]),
                      ("无未达标项比例", "share", lambda c: c["share_compliant"])]


def _table(total: dict, rows: list[dict]) -> list[tuple[str, str, dict]]:
    """(code, name, figures) of each sub-region, then the total."""
    lines = [(_code(r["region"]), r["name"] if r["name"] != "(this level)" else f"{total['name']}本级", r)
             for r in rows]
    return lines + [(_code(total["region"]), f"{TOTAL}（{total['name']}）", total)]


def _sheet(book: Workbook, title: str, headers: list[str], units: list[str], lines: list[list]) -> None:
    sheet = book.create_sheet(title[:31])
    for line in (headers, *lines):
        append_row(sheet, line)  # a name that begins like a formula is text
    for index, unit in enumerate(units, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 16 if unit else 24
        if unit:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = FORMATS[unit]
    sheet.freeze_panes = "C2" if len(headers) > 2 and headers[0] == CODE else "A2"


def _xlsx(total: dict, rows: list[dict], profile: Profile, volunteers: list[dict], teams: list[dict],
          regions: list[dict]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    table = _table(total, rows)
    for topic in TOPICS:
        figures = [f for f in FIGURES if f.topic == topic.key]
        _sheet(book, topic.zh, [CODE, NAME, *(f.zh for f in figures)], ["", "", *(f.unit for f in figures)],
               [[code, name, *(_value(f, r) for f in figures)] for code, name, r in table])
    columns = _compliance_columns(profile)
    _sheet(book, "五个一" if profile.name == "haimen" else profile.label.split(" ")[0],
           [CODE, NAME, *(h for h, _u, _f in columns)], ["", "", *(u for _h, u, _f in columns)],
           [[code, name, *(f(r["compliance"]) for _h, _u, f in columns)] for code, name, r in table])
    for title, who, holders in (("志愿者服务时长", "志愿者", volunteers), ("服务队服务时长", "服务队", teams),
                                ("各地服务时长", "地区", regions)):
        # A volunteer's name only for the roles that see it (the caller's names): her id always.
        _sheet(book, title, [who, "编号", CODE, "服务时长（小时）", "服务次数"], ["", "", "", "hours", "count"],
               [[h.get("name", ""), h["id"], _code(h["region"]), h["hours"], h["activities"]] for h in holders])
    return _saved(book)


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_bytes(lines: Iterable[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(csv_row(line) for line in lines)  # a name that begins like a formula is text
    return out.getvalue().encode("utf-8-sig")  # with the BOM


def _csv(total: dict, rows: list[dict], profile: Profile) -> bytes:
    topics = {t.key: t.zh for t in TOPICS}
    columns = _compliance_columns(profile)
    lines = [[CODE, NAME, *(f"{topics[f.topic]}·{f.zh}" for f in FIGURES), *(f"五个一·{h}" for h, _u, _f in columns)]]
    for code, name, r in _table(total, rows):
        values = [_value(f, r) for f in FIGURES] + [f(r["compliance"]) for _h, _u, f in columns]
        units = [f.unit for f in FIGURES] + [u for _h, u, _f in columns]
        lines.append([code, name, *(f"{v:.1%}" if u == "share" else v for v, u in zip(values, units))])
    return _csv_bytes(lines)


def table_file(fmt: str, title: str, headers: list[str], lines: list[list]) -> bytes:
    """One table as a file: CSV in UTF-8 with a BOM, or XLSX with one sheet named `title` (less the
    characters a sheet's name may not hold), its header row frozen."""
    if fmt == "csv":
        return _csv_bytes([headers, *lines])
    book = Workbook()
    book.remove(book.active)
    _sheet(book, re.sub(r"[\\/?*\[\]:]", " ", title).strip() or "Sheet", headers, [""] * len(headers), lines)
    return _saved(book)


def report_file(fmt: str, total: dict, rows: list[dict], profile: Profile, volunteers: list[dict],
                teams: list[dict], regions: list[dict] = ()) -> bytes:
    if fmt == "csv":
        return _csv(total, rows, profile)
    return _xlsx(total, rows, profile, volunteers, teams, list(regions))
