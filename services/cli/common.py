"""What every `aixin` command shares: the console, the options, HTTP calls as the signed-in account,
and how a failure is told."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from nats.errors import Error as NatsError
from rich.console import Console
from rich.markup import escape

from contracts.regions import InvalidRegion, known_region, parse_region, region_name
from services.cli.client import NotRunning, connect, data_directory, request, runtime
from services.cli.credentials import AccessDenied
from services.platform import event_loop
from services.platform.settings import RuntimeInfo

console = Console()
DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="data directory (default: $AIXIN_DATA_DIR or ./aixin-data)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]


def fail(message: str, code: int = 2) -> None:
    """The message on one line, however narrow the terminal (it wraps it, so a path in it is copied
    whole), and exit with `code`. No highlighting: a path or a reason may hold [brackets] or numbers."""
    console.print(f"[red]error:[/red] {shown(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def shown(text: str) -> str:
    """A stored or received string as the terminal may show it: control characters (an escape
    sequence in a name would drive the operator's terminal) as visible escapes, and no markup."""
    visible = "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in text)
    return escape(visible)


def host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise typer.BadParameter(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8765)")
    return host, int(port)


def region_arg(text: str) -> str:
    """A region argument: 'CN' or a known division code (a malformed or unknown one exits 2)."""
    try:
        return known_region(text).code
    except InvalidRegion as error:
        fail(str(error))


def page(limit: int, offset: int, most: int = 10_000) -> dict[str, int]:
    """--limit and --offset of a listing as the API takes them; out of range is one line (exit 2),
    not the API's refusal of a query parameter the operator never typed."""
    if not 1 <= limit <= most:
        fail(f"--limit is the number of rows to list, from 1 to {most:,}; {limit} is not")
    if offset < 0:
        fail(f"--offset is the number of rows to skip, 0 or more; {offset} is not")
    return {"limit": limit, "offset": offset}


def resolve(data_dir: Path | None) -> tuple[Path, RuntimeInfo]:
    try:
        directory = data_directory(data_dir)
        return directory, runtime(directory)
    except NotRunning as error:
        fail(str(error))


def call(data_dir: Path | None, method: str, path: str, *, params: dict | None = None,
         body: dict | None = None):
    """One HTTP call as the signed-in account; a failure is one line and an exit code."""
    try:
        return request(connect(data_dir), method, path, params=params, body=body)
    except NotRunning as error:
        fail(str(error))
    except AccessDenied as error:
        fail(str(error), code=1)
    except LookupError as error:
        fail(str(error), code=1)


def get_json(data_dir: Path | None, path: str, **params) -> dict:
    return call(data_dir, "GET", path, params=params)


def run(coroutine):
    try:
        return event_loop.run(coroutine)
    except NotRunning as error:
        fail(str(error))
    except (AccessDenied, LookupError) as error:
        fail(str(error), code=1)
    except (OSError, NatsError) as error:
        # The platform went away mid-way (stopped, or killed): what it acknowledged is kept, and
        # running the same command again adds nothing twice (command ids are stable).
        fail(f"lost the connection to aixin ({type(error).__name__}: {error}); start 'aixin up' "
             f"again and repeat the command — what was acknowledged is kept and nothing is applied twice")


def office_named(code: str | None) -> str:
    """An office (or any place) by its name and significant digits: 海珠区 (440105); a code that is
    none as it is."""
    try:
        region = parse_region(code or "")
    except InvalidRegion:
        return code or "-"
    return f"{region_name(region)} ({region.prefix or 'CN'})"


def given_day(option: str, text: str | None) -> str | None:
    """The day an option names (YYYY-MM-DD), None when it is not given; a clear error for anything else."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        fail(f"{option} is a day like 2026-01-20; {text!r} is not")
