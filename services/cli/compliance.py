"""`aixin compliance REGION --month 2026-05`: how the pairs of a region kept their cadence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.activity.care.cadence import PROFILES
from services.activity.care.periods import month_bounds
from services.cli.common import console, fail, get_json, page, region_arg, shown

MARKS = {"met": "[green]✓", "missed": "[red]✗", "open": "[yellow]…", "not_due": "[dim]–"}


def compliance(
    region: Annotated[str, typer.Argument(help="CN or a division code (2, 4, 6, 9 or 12 digits)")],
    month: Annotated[str, typer.Option(help="the month, e.g. 2026-05")],
    profile: Annotated[Optional[str], typer.Option(
        help=f"{', '.join(PROFILES)} (default: the profile the region follows)")] = None,
    limit: int = 1000, offset: int = 0,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="data directory")] = None,
) -> None:
    """Cadence compliance (e.g. Haimen's "five ones") of every pair active in a month."""
    try:
        month_bounds(month)
    except ValueError as error:
        fail(str(error), 2)
    params = {"region": region_arg(region), "month": month, **page(limit, offset)}
    if profile:
        params["profile"] = profile
    result = get_json(data_dir, "/pairs/compliance", **params)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    console.print(_table(result))
    summary = result["summary"]
    console.print(f"{summary['compliant']} of {summary['pairs']} pairs shown missed nothing "
                  f"({result['total']} pairs active in {result['month']}); "
                  f"✓ met  ✗ missed  … open  – not due")


def _table(result: dict) -> Table:
    rules = [r["rule"] for r in result["pairs"][0]["rules"]] if result["pairs"] else []
    table = Table("pair", "children", "volunteers", *rules, "compliant",
                  title=f"{result['label']} — {result['region']}, {result['month']}")
    for pair in result["pairs"]:
        marks = [f"{MARKS[r['status']]} {r['count']}" for r in pair["rules"]]
        children = pair.get("children") or [{"child_id": c} for c in pair["child_ids"]]
        table.add_row(pair["pair_id"], _people(children, "child_id"),
                      _people(pair.get("volunteers", []), "volunteer_id"), *marks,
                      "yes" if pair["compliant"] else "[red]no")
    return table


def _people(rows: list[dict], key: str) -> str:
    """`王小红 (a3), 李小草 (a4)`: names where the API gave them (roles that see personal data), else ids."""
    return ", ".join(f"{shown(r['name'])} ({r[key]})" if r.get("name") else r[key] for r in rows) or "-"
