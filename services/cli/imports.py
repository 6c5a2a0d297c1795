"""`aixin import children FILE` and `aixin import volunteers FILE`: bulk import of civil-affairs
lists into a running platform. The column mapping is documented in services/importing/columns.py.

Exit codes: 0 the file was processed (bad rows, if any, are in the report); 1 the platform could
not be reached; 2 the file is unusable (missing, not CSV/XLSX, no header with the required columns).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Optional

import typer
from nats.errors import NoRespondersError
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from contracts.envelope import Actor
from contracts.regions import InvalidRegion, parse_region
from services.cli.client import CommandClient, NotRunning, runtime
from services.importing.reading import UnusableFile
from services.importing.runner import KINDS, Importer, Summary, prepare

import_app = typer.Typer(help="Import civil-affairs lists (CSV in UTF-8/GBK/GB18030, or XLSX).",
                         no_args_is_help=True)
console = Console()
FileArg = Annotated[Path, typer.Argument(help="the list: .csv (UTF-8, GBK or GB18030) or .xlsx")]
ReportOpt = Annotated[Optional[Path], typer.Option("--report", help="report file (default: FILE.import-report.csv)")]
DataDirOpt = Annotated[Optional[Path], typer.Option("--data-dir", help="data directory of the running platform")]
OperatorOpt = Annotated[str, typer.Option("--operator", help="operator id recorded on every event")]
OfficeOpt = Annotated[str, typer.Option("--office", help="the operator's office: CN or a division code")]
COMMAND_TIMEOUT = 120


@import_app.command()
def children(file: FileArg, report: ReportOpt = None, data_dir: DataDirOpt = None,
             operator: OperatorOpt = "importer", office: OfficeOpt = "CN") -> None:
    """Register the children of a list (姓名, 性别, 出生日期, 身份证号, 类别, 区划代码, 监护人, 联系电话, …)."""
    _import("children", file, report, data_dir, operator, office)


@import_app.command()
def volunteers(file: FileArg, report: ReportOpt = None, data_dir: DataDirOpt = None,
               operator: OperatorOpt = "importer", office: OfficeOpt = "CN") -> None:
    """Recruit the volunteers of a list (姓名, 性别, 联系电话, 区划代码, 类型, 特长, …)."""
    _import("volunteers", file, report, data_dir, operator, office)


def _import(kind: str, file: Path, report: Path | None, data_dir: Path | None, operator: str,
            office: str) -> None:
    try:
        job = prepare(KINDS[kind], file, _actor(operator, office))
    except UnusableFile as error:
        _fail(str(error), 2)
    try:
        summary = asyncio.run(_send_all(job, report, data_dir))
    except NotRunning as error:
        _fail(str(error), 1)
    print_summary(summary, kind)


async def _send_all(job, report: Path | None, data_dir: Path | None) -> Summary:
    async with CommandClient(runtime(data_dir).nats_url) as client:
        async def send(route, command):
            try:
                return await client.send("intake", route, command, timeout=COMMAND_TIMEOUT)
            except NoRespondersError:
                raise NotRunning("no intake service answers on NATS; start 'aixin up' and import the "
                                 "file again (rows already registered are recognised)") from None

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(f"importing {job.table.path.name}", total=job.estimated_rows)
            summary = await Importer(send, tick=lambda n: progress.advance(task, n)).run(job, report)
            progress.update(task, total=summary.rows, completed=summary.rows)
        return summary


def print_summary(summary: Summary, kind: str, out: Console = console) -> None:
    out.print(f"{summary.file} ({summary.source}; header in row {summary.header_line})")
    out.print(f"  rows read           {summary.rows:>9,}\n"
              f"  registered          {summary.registered:>9,}\n"
              f"  already registered  {summary.already_registered:>9,}\n"
              f"  bad rows            {summary.bad:>9,}  ({summary.problems:,} problems)", highlight=False)
    if summary.ignored_columns:
        out.print(f"  ignored columns: {', '.join(summary.ignored_columns)}")
    out.print(f"report: {summary.report}" if summary.report else "no bad rows, nothing already on file: no report")
    out.print(f"{summary.rows:,} rows of {kind} in {summary.seconds:.1f} s = {summary.rows_per_second:,.0f} rows/s",
              highlight=False)


def _actor(operator: str, office: str) -> Actor:
    try:
        region = parse_region(office)
    except InvalidRegion as error:
        _fail(str(error), 2)
    return Actor(operator_id=operator, level=region.level, region=office.strip().upper())


def _fail(message: str, code: int) -> None:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)
