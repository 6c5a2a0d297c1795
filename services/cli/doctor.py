"""`aixin doctor`: the messages of the log that cannot be read, sealed personal data that does not
open although its key was never destroyed (forged, or damaged), and the events a read model could
not apply (parked, with the later events of their aggregates held behind them), where each stands
and why; exits 1 when there are any, so that a script can tell. `retry` and `skip` release parked
events (`services.cli.parked`)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from services.cli.common import AsJson, DataDir, call, console, shown
from services.cli.parked import retry, show_parked, skip

doctor_app = typer.Typer(help="What in the log cannot be read or applied, and releasing parked events.",
                         invoke_without_command=True, no_args_is_help=False)
doctor_app.command()(retry)
doctor_app.command()(skip)


@doctor_app.callback()
def doctor(ctx: typer.Context, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Report unreadable messages, sealed data and parked events in the log of your office's subtree (admins and systems)."""
    if ctx.invoked_subcommand is not None:
        return
    result = call(data_dir, "GET", "/operations/unreadable")
    found = result["unreadable"]
    parked = call(data_dir, "GET", "/operations/parked").get("parked", [])
    if json_out:
        typer.echo(json.dumps({**result, "parked": parked}, ensure_ascii=False, indent=2))
    elif not found:
        console.print(f"no unreadable message in the log of {result['office']} "
                      "(as far as the read models have read it), and no sealed data that does not open")
    else:
        _show_unreadable(result["office"], found)
    if parked and not json_out:
        show_parked(result["office"], parked)
    elif not json_out:
        console.print("no event parked by a read model")
    if found or parked:
        raise typer.Exit(1)


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
