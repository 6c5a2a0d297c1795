"""`aixin stats`, `children`, `history` and `replay`: what the read models and the log say."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.client import AdminClient, data_directory, runtime
from services.cli.common import AsJson, DataDir, console, fail, get_json, region_arg, run, shown

FIGURE_HEADINGS = {
    "children_registered": "children", "children_paired": "paired", "volunteers_recruited": "volunteers",
    "active_pairs": "active pairs", "pairs_ended": "ended", "visits_logged": "visits",
    "wishes_submitted": "wishes", "wishes_fulfilled": "fulfilled",
}


def stats(region: str, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Figures for CN or a division code (2, 4, 6, 9 or 12 digits)."""
    code = region_arg(region)
    result = get_json(data_dir, f"/regions/{code}/stats")
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


def children(region: str, json_out: AsJson = False, limit: int = 100, offset: int = 0,
             data_dir: DataDir = None) -> None:
    """The children of a region's subtree: id, name, category, whether paired."""
    code = region_arg(region)
    result = get_json(data_dir, f"/regions/{code}/children", limit=limit, offset=offset)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("child id", "name", "category", "region", "paired")
    for row in result["children"]:
        # Names are for caseworkers and approvers.
        name = shown(row["name"]) if row.get("name") else "[dim](not shown to this role)"
        table.add_row(row["child_id"], name, row["category"], row["region"], "yes" if row["paired"] else "no")
    console.print(table)


def history(
    kind: Annotated[str, typer.Argument(help="child, volunteer, pair or wish")],
    aggregate_id: str, json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """One aggregate's events in order, with actor and time."""
    if kind not in ("child", "volunteer", "pair", "wish"):
        fail(f"{kind!r} is not child, volunteer, pair or wish")
    result = get_json(data_dir, f"/history/{kind}/{aggregate_id}")
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("v", "event", "occurred at", "actor", "region")
    for event in result["events"]:
        actor = event["actor"]
        role = f"{actor['role']}, " if actor.get("role") else ""
        table.add_row(str(event["version"]), event["event_type"], event["occurred_at"],
                      f"{actor['operator_id']} ({role}{actor['level']} {actor['region']})", event["region"])
    console.print(table)


def replay(
    projection: Annotated[Optional[list[str]], typer.Option(help="only this read model (repeatable)")] = None,
    json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """Rebuild read models from the log and compare them with the live ones."""
    from services.projections.admin import REPLAY

    async def main() -> dict:
        async with AdminClient(runtime(data_dir).nats_url, data_directory(data_dir)) as client:
            return await client.request(REPLAY, {"projections": projection or []})

    result = run(main())
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
