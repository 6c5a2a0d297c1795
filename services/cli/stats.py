"""`aixin stats REGION`: the federation's figures for a region, as of today or any past day
(`--as-of`), over any period (`--from 2026-01-20 --to 2026-02-28`, or `--period 寒假 --year 2026`:
flows summed over its days, stocks at its end and at its start), or month by month of a year
(`--monthly`); in zh-CN unless `--lang en`; `--json` prints the API's answer, whose keys are stable
English identifiers."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from services.cli.common import AsJson, console, DataDir, fail, get_json, given_day, region_arg
from services.cli.figures_format import LOCALES, WORDS, drill_down_table, figures_table, series_tables
from services.cli.periods import From, PeriodName, To, Year, span_params

Lang = Annotated[str, typer.Option("--lang", help="zh (default) or en")]


def stats(
    region: Annotated[str, typer.Argument(help="CN or a division code of 2, 4, 6, 9 or 12 digits")],
    monthly: Annotated[Optional[int], typer.Option("--monthly", help="month by month of this year")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="as it stood at the end of this day (YYYY-MM-DD)")] = None,
    start: From = None, end: To = None, period: PeriodName = None, year: Year = None,
    lang: Lang = "zh", json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """The figures of a region and of each region directly below it."""
    code, day, span = region_arg(region), given_day("--as-of", as_of), span_params(start, end, period, year)
    if lang not in LOCALES:
        fail(f"--lang is zh or en, not {lang!r}")
    if span and (day or monthly is not None):
        fail("a period (--from/--to or --period) goes with neither --as-of nor --monthly")
    params = {"as_of": day} if day else span
    if monthly is not None:
        result = get_json(data_dir, f"/regions/{code}/series", year=monthly, **params)
    else:
        result = get_json(data_dir, f"/regions/{code}/stats", **params)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if monthly is not None:
        tables, zero = series_tables(result, lang)
        for table in tables:
            console.print(table)
        if zero:
            console.print(WORDS[lang]["zero"].format(n=zero))
        return
    console.print(figures_table(result, lang))
    if result["subregions"]:
        table, hidden = drill_down_table(result, lang)
        console.print(table)
        if hidden:
            console.print(WORDS[lang]["hidden"].format(n=hidden))
