"""The `aixin` command: run the platform, fill a demo federation, read figures, replay history."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nats.errors import Error as NatsError

from contracts.regions import InvalidRegion, parse_region
from services.activity.cli import compliance
from services.client import CommandClient, NotRunning, get, runtime
from services.importing.cli import import_app
from services.pairing.cli import match_app
from services.settings import Settings

app = typer.Typer(help="aixin: the 爱心妈妈 pairing platform", no_args_is_help=True,
                  pretty_exceptions_enable=False)
console = Console()
DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="data directory (default: $AIXIN_DATA_DIR or ./aixin-data)")]
FIGURE_HEADINGS = {
    "children_registered": "children", "children_paired": "paired", "volunteers_recruited": "volunteers",
    "active_pairs": "active pairs", "pairs_ended": "ended", "visits_logged": "visits",
    "wishes_submitted": "wishes", "wishes_fulfilled": "fulfilled",
}
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]


def fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise typer.BadParameter(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8765)")
    return host, int(port)


@app.command()
def up(
    data_dir: DataDir = None,
    http: Annotated[str, typer.Option(help="HOST:PORT of the HTTP API")] = "127.0.0.1:8765",
    nats_url: Annotated[Optional[str], typer.Option("--nats-url", help="external NATS; default: embedded nats-server")] = None,
) -> None:
    """Run the whole platform: embedded nats-server, the four services and the HTTP API (the log
    followers and an import worker in child processes)."""
    from services.child_services import UP_CHILDREN
    from services.runtime import Platform

    host, port = host_port(http)
    settings = Settings.from_env(data_dir, nats_url=nats_url, http_host=host, http_port=port)

    async def main() -> None:
        platform = Platform(settings, children=UP_CHILDREN)
        try:
            info = await platform.start()
            console.print(f"aixin is up (data in {settings.data_dir})\n"
                          f"  NATS      {info.nats_url}{' (embedded)' if platform.embedded else ''}\n"
                          f"  HTTP API  {info.http_url}  (OpenAPI: {info.http_url}/docs)\n"
                          f"  read models {info.db_url}\nPress Ctrl-C to stop.")
            await platform.run_until_signalled()
        finally:
            console.print("stopping…")
            await platform.stop()

    try:
        asyncio.run(main())
    except OSError as error:
        fail(str(error))


@app.command()
def serve(
    services: Annotated[list[str], typer.Argument(
        help="intake, imports (bulk registrations only), pairing, activity, projections, reminders, api")],
    data_dir: DataDir = None,
    nats_url: Annotated[Optional[str], typer.Option("--nats-url", envvar="AIXIN_NATS_URL")] = None,
    http: Annotated[str, typer.Option(help="HOST:PORT of the HTTP API")] = "127.0.0.1:8765",
) -> None:
    """Run some services alone against an external NATS (as in compose.yaml)."""
    from services.runtime import SERVICES, Platform

    unknown = [s for s in services if s not in SERVICES]
    if unknown:
        fail(f"unknown service {unknown[0]!r}; choose from {', '.join(SERVICES)}")
    if not nats_url:
        fail("serve needs --nats-url (or AIXIN_NATS_URL); use 'aixin up' for the embedded platform")
    host, port = host_port(http)
    settings = Settings.from_env(data_dir, nats_url=nats_url, http_host=host, http_port=port)

    async def main() -> None:
        platform = Platform(settings, services=tuple(services))
        try:
            await platform.start()
            console.print(f"serving {', '.join(services)} on {nats_url}")
            await platform.run_until_signalled()
        finally:
            await platform.stop()

    asyncio.run(main())


@app.command()
def demo(
    children: Annotated[int, typer.Option(min=1, max=1_000_000)] = 1000,
    seed: int = 1,
    data_dir: DataDir = None,
) -> None:
    """Fill a plausible federation through the real command path (needs 'aixin up')."""
    from services.demo import Demo, wait_for_read_models

    async def main() -> None:
        async with CommandClient(runtime(data_dir).nats_url) as client:
            columns = (TextColumn("{task.description:>16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=console) as progress:
                refused = await Demo(client, children, seed, progress).run()
            position = await wait_for_read_models(client)
        console.print(f"done; log at sequence {position['stream_last_seq']}, read models at {position['applied']}")
        for reason, count in refused.items():
            console.print(f"  refused {count}× {reason}")

    _run(main())


@app.command()
def stats(region: str, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Figures for CN or a division code (2, 4, 6, 9 or 12 digits)."""
    code = _region_arg(region)
    result = _get(data_dir, f"/regions/{code}/stats")
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{result['name']} ({result['region']}, {result['level']})")
    table.add_column("region")
    for name in FIGURE_HEADINGS.values():
        table.add_column(name, justify="right")
    table.add_row("[bold]total", *(f"[bold]{result[n]}" for n in FIGURE_HEADINGS))
    shown = [sub for sub in result["subregions"] if any(sub[n] for n in FIGURE_HEADINGS)]
    for sub in shown:
        table.add_row(f"{sub['name']} {sub['region'].rstrip('0') or sub['region']}",
                      *(str(sub[n]) for n in FIGURE_HEADINGS))
    console.print(table)
    hidden = len(result["subregions"]) - len(shown)
    if hidden:
        console.print(f"({hidden} subregions with no figures not shown)")


@app.command()
def children(region: str, json_out: AsJson = False, limit: int = 100, offset: int = 0,
             data_dir: DataDir = None) -> None:
    """The children of a region's subtree: id, name, category, whether paired."""
    code = _region_arg(region)
    result = _get(data_dir, f"/regions/{code}/children", limit=limit, offset=offset)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("child id", "name", "category", "region", "paired")
    for row in result["children"]:
        table.add_row(row["child_id"], row["name"], row["category"], row["region"], "yes" if row["paired"] else "no")
    console.print(table)


@app.command()
def history(
    kind: Annotated[str, typer.Argument(help="child, volunteer, pair or wish")],
    aggregate_id: str, json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """One aggregate's events in order, with actor and time."""
    if kind not in ("child", "volunteer", "pair", "wish"):
        fail(f"{kind!r} is not child, volunteer, pair or wish")
    result = _get(data_dir, f"/history/{kind}/{aggregate_id}")
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("v", "event", "occurred at", "actor", "region")
    for event in result["events"]:
        actor = event["actor"]
        table.add_row(str(event["version"]), event["event_type"], event["occurred_at"],
                      f"{actor['operator_id']} ({actor['level']} {actor['region']})", event["region"])
    console.print(table)


@app.command()
def replay(
    projection: Annotated[Optional[list[str]], typer.Option(help="only this read model (repeatable)")] = None,
    json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """Rebuild read models from the log and compare them with the live ones."""
    from services.projections.admin import REPLAY

    async def main() -> dict:
        async with CommandClient(runtime(data_dir).nats_url) as client:
            return await client.request(REPLAY, {"projections": projection or []})

    result = _run(main())
    if not result.get("ok"):
        fail(result.get("error", "replay failed"))
    if json_out:
        typer.echo(json.dumps(result, indent=2))
        return
    for report in result["reports"]:
        verdict = "[green]equal to the live read model" if report["equal"] else "[red]DIFFERENT: " + "; ".join(report["differences"])
        console.print(f"{report['projection']}: {report['events']} events in {report['seconds']} s "
                      f"({report['events_per_second']}/s) — {verdict}")
    if not all(r["equal"] for r in result["reports"]):
        raise typer.Exit(1)


@app.command()
def bench(
    events: Annotated[int, typer.Option(help="events for the raw baseline and the replay")] = 5000,
    commands: Annotated[int, typer.Option(help="intake commands to time")] = 2000,
    rows: Annotated[int, typer.Option(help="rows of a civil-affairs list to import (0: skip)")] = 5000,
) -> None:
    """Print raw JetStream publish rate, intake commands/s, import rows/s, replay events/s and the
    batch-match time, each rate with its ratio to the raw rate measured in the same run."""
    from services.bench import run_bench

    _run(run_bench(events=events, commands=commands, console=console, imports=rows))


app.add_typer(import_app, name="import")
app.add_typer(match_app, name="match")
app.command()(compliance)


def _region_arg(text: str) -> str:
    try:
        return parse_region(text).code
    except InvalidRegion as error:
        fail(str(error))


def _get(data_dir: Path | None, path: str, **params) -> dict:
    try:
        return get(runtime(data_dir), path, **params)
    except NotRunning as error:
        fail(str(error))
    except LookupError as error:
        fail(str(error), code=1)


def _run(coroutine):
    try:
        return asyncio.run(coroutine)
    except NotRunning as error:
        fail(str(error))
    except (OSError, NatsError) as error:
        # The platform went away mid-way (stopped, or killed): what it acknowledged is kept, and
        # running the same command again adds nothing twice (command ids are stable).
        fail(f"lost the connection to aixin ({type(error).__name__}: {error}); start 'aixin up' "
             f"again and repeat the command — what was acknowledged is kept and nothing is applied twice")


if __name__ == "__main__":
    app()
