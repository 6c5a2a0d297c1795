"""The home page's figures, with no I/O: the programme's cards (besides the work's, the five-ones
compliance, wishes fulfilled, funds raised, service hours, person-times, stations and teams), the
sub-regions' table — sortable by any column, the rows with nothing to show folded away, the
office's own row (「本级」) only where something is recorded at its own level, and 「—」 for a share
with no base (no coverage where there is no child) — and the months whose report may be downloaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.dashboard.i18n import Translator
from services.dashboard.view import BASES, TABLE_FIGURES, figure_name, share_cell

REPORT_MONTHS = 6  # the months offered for download, this one first


@dataclass(frozen=True)
class Table:
    columns: list[tuple[str, str, str]]  # (key, label, link that sorts by it)
    rows: list[dict]
    folded: int  # rows with nothing to show, left out
    sort: str
    descending: bool


def _empty(row: dict) -> bool:
    return not any(row.get(key) for key in TABLE_FIGURES)


def _order(key: str, descending: bool):
    """A sort key: by name (as written), else by the figure, rows without a base last either way."""
    if key == "name":
        return lambda row: row["name"]
    sign = -1 if descending else 1
    return lambda row: (row.get(BASES.get(key, key)) in (0, None), sign * (row.get(key) or 0))


def subregion_table(stats: dict, t: Translator, sort: str = "", descending: bool = True) -> Table:
    """The direct sub-regions as the home page lists them; `sort` a column key (else the API's order)."""
    own_code = stats.get("region")
    shown, folded = [], 0
    for row in stats.get("subregions", []):
        if _empty(row):
            folded += row["region"] != own_code  # the own row's emptiness is no sub-region left out
            continue
        shown.append({**row, "own": row["region"] == own_code,
                      "name": t.gettext("region.this_level") if row["region"] == own_code else row["name"]})
    sort = sort if sort == "name" or sort in TABLE_FIGURES else ""
    if sort:
        shown.sort(key=_order(sort, descending), reverse=sort == "name" and descending)
    rows = [{"code": row["region"], "own": row["own"], "name": row["name"],
             "cells": [(key, share_cell(row, key, t)) for key in TABLE_FIGURES]} for row in shown]
    columns = [(key, figure_name(key, t) if key != "name" else t.gettext("region.name"),
                f"?sort={key}&desc={0 if sort == key and descending else 1}#sub-title")
               for key in ("name", *TABLE_FIGURES)]
    return Table(columns, rows, folded, sort, descending)


def report_months(today: date, count: int = REPORT_MONTHS) -> list[str]:
    """This month and the ones before it, newest first, as YYYY-MM."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months
