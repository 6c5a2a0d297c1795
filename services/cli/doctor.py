"""`aixin doctor`: the messages of the log that cannot be read, and sealed personal data that does
not open although its key was never destroyed (forged, or damaged), where each stands and why;
exits 1 when there are any, so that a script can tell."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from services.cli.common import AsJson, DataDir, call, console, shown


def doctor(json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Report unreadable messages and sealed data in the log of your office's subtree (admins and systems)."""
    result = call(data_dir, "GET", "/operations/unreadable")
    found = result["unreadable"]
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif not found:
        console.print(f"no unreadable message in the log of {result['office']} "
                      "(as far as the read models have read it), and no sealed data that does not open")
    else:
        table = Table("stream seq", "aggregate", "region", "reason",
                      title=f"unreadable messages in the log of {result['office']}")
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
    if found:
        raise typer.Exit(1)
