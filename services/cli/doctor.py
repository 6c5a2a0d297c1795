"""`aixin doctor`: the messages of the log that cannot be read, where each stands and why; exits 1
when there are any, so that a script can tell."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from services.cli.common import AsJson, DataDir, call, console, shown


def doctor(json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Report unreadable messages in the log of your office's subtree (admins and systems)."""
    result = call(data_dir, "GET", "/operations/unreadable")
    found = result["unreadable"]
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif not found:
        console.print(f"no unreadable message in the log of {result['office']} "
                      "(as far as the read models have read it)")
    else:
        table = Table("stream seq", "aggregate", "region", "reason",
                      title=f"unreadable messages in the log of {result['office']}")
        for entry in found:
            named = entry["aggregate_type"]
            aggregate = f"{named} {entry['aggregate_id']}" if named else entry["subject"]
            table.add_row(str(entry["seq"]), shown(aggregate), entry["region"] or "-", shown(entry["reason"]))
        console.print(table)
        console.print("commands on these aggregates are refused (409) until the messages are repaired")
    if found:
        raise typer.Exit(1)
