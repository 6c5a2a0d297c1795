"""`aixin audit access`: who read which child's personal data, when, through which route (admins,
entries of their subtree, newest first)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.common import AsJson, DataDir, call, console

audit_app = typer.Typer(help="The access log: every response that held a child's name.", no_args_is_help=True)


@audit_app.command()
def access(child_id: Annotated[Optional[str], typer.Option("--child-id", help="only reads of this child")] = None,
           account: Annotated[Optional[str], typer.Option("--account", help="only reads by this account")] = None,
           json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Reads of children's personal data in your office's subtree."""
    params = {k: v for k, v in (("child_id", child_id), ("account", account)) if v}
    result = call(data_dir, "GET", "/audit/access", params=params)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("at (UTC)", "account", "office", "route", "child", "region",
                  title=f"access log of {result['office']}")
    for entry in result["entries"]:
        table.add_row(entry["at"], entry["username"], entry["office"], entry["route"], entry["child_id"] or "-",
                      entry["region"] or "-")
    console.print(table)
    console.print(f"{len(result['entries'])} entries", highlight=False)
