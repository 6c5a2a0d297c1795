"""The options that choose a span of days for `aixin stats` and `aixin report`: `--from` and `--to`,
or `--period 寒假|暑假|六一` (winter, summer, june1, or one the period settings name) with `--year`.
Checked here where the CLI can (a day's form, from before to); the API checks the rest (a period
it does not know, a day after today) and its one-line reason is printed."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from services.cli.common import fail, given_day

From = Annotated[Optional[str], typer.Option("--from", help="first day of a period (YYYY-MM-DD), with --to")]
To = Annotated[Optional[str], typer.Option("--to", help="last day of the period (YYYY-MM-DD), not after today")]
PeriodName = Annotated[Optional[str], typer.Option(
    "--period", help="寒假 (winter), 暑假 (summer), 六一 (june1), or a period of the settings (periods.json)")]
Year = Annotated[Optional[int], typer.Option("--year", help="the period's year (default: the latest begun)")]


def span_params(start: str | None, end: str | None, period: str | None, year: int | None) -> dict:
    """The query of the span asked for ({} for none)."""
    start, end = given_day("--from", start), given_day("--to", end)
    if period is not None and (start or end):
        fail("give either --period or --from and --to, not both")
    if year is not None and period is None:
        fail("--year is the year of a --period: give --period too")
    if period is None and (start is None) != (end is None):
        fail("a period from one day to another needs both --from and --to")
    if start and end and start > end:
        fail(f"--from ({start}) is after --to ({end})")
    params = {"from": start, "to": end, "period": period, "year": year}
    return {key: value for key, value in params.items() if value is not None}
