"""`aixin report REGION --month 2026-05 --format xlsx|csv [--out FILE]`: the month's report of a
region, one row per direct sub-region and a total (XLSX: one sheet per topic; CSV: UTF-8 with BOM),
as the HTTP API makes it (`GET /regions/{code}/report`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from services.cli.client import NotRunning, connect, request
from services.cli.common import DataDir, console, fail, region_arg, shown
from services.cli.credentials import AccessDenied


def report(
    region: Annotated[str, typer.Argument(help="CN or a division code of 2, 4, 6, 9 or 12 digits")],
    month: Annotated[str, typer.Option("--month", help="the month, e.g. 2026-05")],
    format: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
    out: Annotated[Optional[Path], typer.Option("--out", help="file to write (default: aixin-REGION-MONTH.FORMAT)")] = None,
    data_dir: DataDir = None,
) -> None:
    """Write the month's report of a region to a spreadsheet file."""
    code = region_arg(region)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        fail(f"--month is a month like 2026-05; {month!r} is not")
    if format not in ("xlsx", "csv"):
        fail(f"--format is xlsx or csv, not {format!r}")
    try:
        content = request(connect(data_dir), "GET", f"/regions/{code}/report",
                          params={"month": month, "format": format}, raw=True)
    except NotRunning as error:
        fail(str(error))
    except (AccessDenied, LookupError) as error:
        fail(str(error), code=1)
    target = out or Path(f"aixin-{region}-{month}.{format}")
    target.write_bytes(content)
    console.print(f"{shown(str(target))} ({len(content):,} bytes)")
