"""`aixin doctor`: the log's durability (its stream's replicas, each server's fsync before it
acknowledges: `services.cli.durability`), the messages of the log that cannot be read, sealed personal data that does not
open although its key was never destroyed (forged, or damaged), and the events a read model could
not apply (parked, with the later events of their aggregates held behind them), where each stands
and why; exits 1 when there are any (or a durability warning), so that a script can tell. `retry` and `skip` release parked
events (`services.cli.parked`)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from nats.errors import Error as NatsError
from rich.table import Table

from services.cli.client import NotRunning, data_directory, runtime
from services.cli.common import AsJson, DataDir, call, console, shown
from services.cli.durability import Durability, durability
from services.cli.parked import retry, show_parked, skip
from services.platform import event_loop

doctor_app = typer.Typer(help="What in the log cannot be read or applied, and releasing parked events.",
                         invoke_without_command=True, no_args_is_help=False)
doctor_app.command()(retry)
doctor_app.command()(skip)


NatsMonitor = Annotated[Optional[str], typer.Option(
    "--nats-monitor", envvar="AIXIN_NATS_MONITOR",
    help="the NATS servers' monitoring endpoints, comma-separated (http://HOST:8222), to read whether each "
         "fsyncs before it acknowledges; the embedded server's is read from the data dir")]


@doctor_app.callback()
def doctor(ctx: typer.Context, json_out: AsJson = False, nats_monitor: NatsMonitor = None,
           data_dir: DataDir = None) -> None:
    """Report the log's durability (replicas, fsync before acknowledgement), unreadable messages,
    sealed data and parked events in the log of your office's subtree (admins and systems)."""
    if ctx.invoked_subcommand is not None:
        return
    monitors = [url.strip() for url in (nats_monitor or "").split(",") if url.strip()]
    result = call(data_dir, "GET", "/operations/unreadable")
    found = result["unreadable"]
    parked = call(data_dir, "GET", "/operations/parked").get("parked", [])
    durable = _durability(data_dir, monitors)
    warnings = durable.warnings()
    if json_out:
        typer.echo(json.dumps({**result, "parked": parked, "durability": durable.as_dict()}, ensure_ascii=False,
                              indent=2))
    else:
        _show_durability(durable, warnings)
        _show_found(result["office"], found, parked)
    if found or parked or warnings:
        raise typer.Exit(1)


def _show_found(office: str, found: list[dict], parked: list[dict]) -> None:
    if found:
        _show_unreadable(office, found)
    else:
        console.print(f"no unreadable message in the log of {office} "
                      "(as far as the read models have read it), and no sealed data that does not open")
    if parked:
        show_parked(office, parked)
    else:
        console.print("no event parked by a read model")


def _durability(data_dir, monitors: list[str]) -> Durability:
    """Looked at over NATS as the platform's admin user; what cannot be read is a warning, and the
    rest of the doctor's checks go on."""
    try:
        return event_loop.run(durability(runtime(data_dir).nats_url, data_directory(data_dir), monitors))
    except (NotRunning, OSError, NatsError) as error:
        return Durability.unreadable(f"{type(error).__name__}: {error}")


def _show_durability(durable: Durability, warnings: list[str]) -> None:
    for warning in warnings:
        console.print(f"[yellow]warning:[/yellow] {shown(warning)}")
    if durable.unread:
        return
    where = f"the {durable.servers}-server cluster {durable.cluster!r}" if durable.cluster else "one NATS server"
    fsync = ", ".join(f"{name}: {'fsync before ack' if always else 'ack before fsync'}"
                      for name, always in sorted(durable.sync_always.items()))
    console.print(f"the log: {durable.replicas} replica(s) on {where}; {fsync or 'fsync unknown'}", highlight=False)


def _show_unreadable(office: str, found: list[dict]) -> None:
    table = Table("stream seq", "aggregate", "region", "reason", title=f"unreadable messages in the log of {office}")
    for entry in found:
        named = entry["aggregate_type"]
        aggregate = f"{named} {entry['aggregate_id']}" if named else entry["subject"]
        table.add_row(str(entry["seq"]), shown(aggregate), entry["region"] or "-", shown(entry["reason"]))
    console.print(table)
    kinds = {entry.get("kind", "message") for entry in found}
    if "message" in kinds:
        console.print("commands on the aggregates of unreadable messages are refused (409) until they are repaired")
    if "sealed" in kinds:
        console.print("personal data that does not open is shown as unreadable in listings; "
                      "its person's particulars need to be recorded again")
