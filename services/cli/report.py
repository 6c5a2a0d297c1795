"""`aixin report REGION --month 2026-05 --format xlsx|csv [--out FILE]`: the month's report of a
region, one row per direct sub-region and a total (XLSX: one sheet per topic; CSV: UTF-8 with BOM),
as the HTTP API makes it (`GET /regions/{code}/report`); or a period's, instead of `--month`:
`--from 2026-01-20 --to 2026-02-28`, or `--period 暑假 --year 2025`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from services.cli.client import NotRunning, connect, request
from services.cli.common import DataDir, console, fail, region_arg, shown
from services.cli.credentials import AccessDenied
from services.cli.periods import From, PeriodName, To, Year, span_params


def report(
    region: Annotated[str, typer.Argument(help="CN or a division code of 2, 4, 6, 9 or 12 digits")],
    month: Annotated[Optional[str], typer.Option("--month", help="the month, e.g. 2026-05 (or a period)")] = None,
    start: From = None, end: To = None, period: PeriodName = None, year: Year = None,
    format: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
    out: Annotated[Optional[Path], typer.Option("--out", help="file to write (default: aixin-REGION-MONTH.FORMAT)")] = None,
    data_dir: DataDir = None,
) -> None:
    """Write the report of a region for a month or a period to a spreadsheet file."""
    code, span = region_arg(region), span_params(start, end, period, year)
    if (month is None) == (not span):
        fail("give --month, or a period (--from and --to, or --period), one of them")
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        fail(f"--month is a month like 2026-05; {month!r} is not")
    if format not in ("xlsx", "csv"):
        fail(f"--format is xlsx or csv, not {format!r}")
    try:
        content = request(connect(data_dir), "GET", f"/regions/{code}/report",
                          params={**({"month": month} if month else span), "format": format}, raw=True)
    except NotRunning as error:
        fail(str(error))
    except (AccessDenied, LookupError) as error:
        fail(str(error), code=1)
    named = month or span.get("period", "") + str(span.get("year", "")) or f"{span['from']}_{span['to']}"
    target = out or Path(f"aixin-{region}-{named}.{format}")
    target.write_bytes(content)
    console.print(f"{shown(str(target))} ({len(content):,} bytes)")
