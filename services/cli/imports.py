"""`aixin import children FILE` and `aixin import volunteers FILE`: bulk import of civil-affairs
lists into a running platform. The column mapping is documented in services/importing/columns.py.

Rows are sent over the HTTP API as the signed-in account (a caseworker), whose office bounds the
regions it may register in; the log records that account on every event.

Exit codes: 0 the file was processed (bad rows, if any, are in the report); 1 the platform could
not be reached, the account may not import, or the platform failed on a batch (HTTP 500); 2 the
file is unusable (missing, not CSV/XLSX whatever its extension says, no header with the required
columns, damaged further in).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from services.cli.client import SIGNED_IN, HttpCommands, NotRunning, connect
from services.cli.common import fail, shown
from services.cli.credentials import AccessDenied
from services.importing.reading import UnusableFile
from services.importing.runner import KINDS, Importer, PlatformFault, Summary, prepare
from services.platform import event_loop

import_app = typer.Typer(help="Import civil-affairs lists (CSV in UTF-8/GBK/GB18030, or XLSX).",
                         no_args_is_help=True)
console = Console()
FileArg = Annotated[Path, typer.Argument(help="the list: .csv (UTF-8, GBK or GB18030) or .xlsx")]
ReportOpt = Annotated[Optional[Path], typer.Option("--report", help="report file (default: FILE.import-report.csv)")]
DataDirOpt = Annotated[Optional[Path], typer.Option("--data-dir", help="data directory of the running platform")]
COMMAND_TIMEOUT = 120


@import_app.command()
def children(file: FileArg, report: ReportOpt = None, data_dir: DataDirOpt = None) -> None:
    """Register the children of a list (姓名, 性别, 出生日期, 身份证号, 类别, 区划代码, 监护人, 联系电话, …)."""
    _import("children", file, report, data_dir)


@import_app.command()
def volunteers(file: FileArg, report: ReportOpt = None, data_dir: DataDirOpt = None) -> None:
    """Recruit the volunteers of a list (姓名, 性别, 联系电话, 区划代码, 类型, 特长, …)."""
    _import("volunteers", file, report, data_dir)


def _import(kind: str, file: Path, report: Path | None, data_dir: Path | None) -> None:
    try:
        job = prepare(KINDS[kind], file, SIGNED_IN)  # the API records the signed-in account instead
    except UnusableFile as error:
        fail(str(error), 2)
    try:
        summary = event_loop.run(_send_all(job, report, data_dir))
    except (NotRunning, AccessDenied) as error:
        fail(str(error), 1)
    except (UnusableFile, PlatformFault) as error:  # damage further into the file; a fault of the platform
        fail(f"{error}; the rows sent before it are kept, and importing the file again (once it is "
              f"repaired) registers none of them twice", 2 if isinstance(error, UnusableFile) else 1)
    print_summary(summary, kind)


async def _send_all(job, report: Path | None, data_dir: Path | None) -> Summary:
    async with HttpCommands(connect(data_dir)) as client:
        async def send(route, command):
            return await client.send("intake", route, command, timeout=COMMAND_TIMEOUT)

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(f"importing {job.table.path.name}", total=job.estimated_rows)
            summary = await Importer(send, tick=lambda n: progress.advance(task, n)).run(job, report)
            progress.update(task, total=summary.rows, completed=summary.rows)
        return summary


def print_summary(summary: Summary, kind: str, out: Console = console) -> None:
    # The file's name, its headers and the report's path are the file's words, not markup.
    out.print(f"{shown(str(summary.file))} ({shown(summary.source)}; header in row {summary.header_line})")
    out.print(f"  rows read           {summary.rows:>9,}\n"
              f"  registered          {summary.registered:>9,}\n"
              f"  already registered  {summary.already_registered:>9,}\n"
              f"  bad rows            {summary.bad:>9,}  ({summary.problems:,} problems)", highlight=False)
    if summary.ignored_columns:
        out.print(f"  ignored columns: {shown(', '.join(map(str, summary.ignored_columns)))}")
    out.print(f"report: {shown(str(summary.report))}" if summary.report
              else "no bad rows, nothing already on file: no report")
    out.print(f"{summary.rows:,} rows of {kind} in {summary.seconds:.1f} s = {summary.rows_per_second:,.0f} rows/s",
              highlight=False)

