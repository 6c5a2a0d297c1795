"""`aixin queue reminders|overdue|at-risk REGION`: an office's work lists, from the read models over
HTTP (names for roles that see personal data, as the API gives them)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from services.cli.common import AsJson, DataDir, console, get_json, page, region_arg, shown
from services.cli.reads import listed

queue_app = typer.Typer(help="Work lists: open reminders, overdue contacts, unpaired children at risk.",
                        no_args_is_help=True)
RULES = {"contact_overdue": "contact overdue", "birthday_coming": "birthday coming",
         "wish_waiting": "wish waiting", "red_tier_without_contact": "red tier without contact"}


def people(rows: list[dict], key: str) -> str:
    """`小红 (a3), 小草 (a4)` where the API gave names, else the ids."""
    return ", ".join(f"{shown(r['name'])} ({r[key]})" if r.get("name") else r[key] for r in rows) or "-"


@queue_app.command()
def reminders(region: str, limit: int = 100, offset: int = 0, json_out: AsJson = False,
              data_dir: DataDir = None) -> None:
    """Reminders raised and not yet resolved, the longest due first."""
    result = get_json(data_dir, f"/regions/{region_arg(region)}/queues/reminders", **page(limit, offset))
    if _json(result, json_out):
        return
    table = Table("due on", "days", "reminder", "about", "children", "volunteers",
                  title=f"open reminders in {result['region']}")
    for r in result["reminders"]:
        about = r["pair_id"] and f"pair {r['pair_id']}" or r["wish_id"] and f"wish {r['wish_id']}" or "child"
        table.add_row(r["due_on"], str(r["days_open"]), RULES.get(r["rule"], r["rule"]), about,
                      people(r["children"], "child_id"), people(r["volunteers"], "volunteer_id"))
    _print(table, result, "reminders", offset)


@queue_app.command()
def overdue(region: str, limit: int = 100, offset: int = 0, json_out: AsJson = False,
            data_dir: DataDir = None) -> None:
    """Active pairs without contact for longer than their cadence allows, the longest overdue first."""
    result = get_json(data_dir, f"/regions/{region_arg(region)}/queues/overdue-contacts", **page(limit, offset))
    if _json(result, json_out):
        return
    table = Table("pair", "children", "volunteers", "last contact", "due on", "days overdue",
                  title=f"overdue contacts in {result['region']}")
    for p in result["pairs"]:
        table.add_row(p["pair_id"], people(p["children"], "child_id"), people(p["volunteers"], "volunteer_id"),
                      p["last_contact"] or f"none since {p['since']}", p["due_on"], str(p["days_overdue"]))
    _print(table, result, "pairs overdue", offset)


@queue_app.command("at-risk")
def at_risk(region: str, limit: int = 100, offset: int = 0, json_out: AsJson = False,
            data_dir: DataDir = None) -> None:
    """Children with a risk tier and no active pair: red first, then orange, yellow, blue; the
    longest registered first within a tier."""
    result = get_json(data_dir, f"/regions/{region_arg(region)}/queues/unpaired-at-risk", **page(limit, offset))
    if _json(result, json_out):
        return
    table = Table("tier", "child", "region", "registered", "last contact",
                  title=f"unpaired children at risk in {result['region']}")
    for c in result["children"]:
        table.add_row(c["tier"], people([c], "child_id"), c["region"], c["registered_on"], c["last_contact"] or "-")
    _print(table, result, "unpaired children at risk", offset)


def _json(result: dict, json_out: bool) -> bool:
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    return json_out


def _print(table: Table, result: dict, what: str, offset: int) -> None:
    rows = next(v for k, v in result.items() if isinstance(v, list))
    console.print(table)
    console.print(listed(len(rows), result["total"], offset, what))
