"""`aixin children`, `history` and `replay`: what the read models and the log say (`aixin stats`
is services/cli/stats.py)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.client import AdminClient, data_directory, runtime
from services.cli.common import AsJson, DataDir, console, fail, get_json, page, region_arg, run, shown


def children(region: str, json_out: AsJson = False, limit: int = 100, offset: int = 0,
             data_dir: DataDir = None) -> None:
    """The children of a region's subtree: id, name, category, whether paired."""
    code, paging = region_arg(region), page(limit, offset)
    result = get_json(data_dir, f"/regions/{code}/children", **paging)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("child id", "name", "category", "region", "paired")
    for row in result["children"]:
        # Names are for caseworkers and approvers.
        name = shown(row["name"]) if row.get("name") else "[dim](not shown to this role)"
        table.add_row(row["child_id"], name, row["category"], row["region"], "yes" if row["paired"] else "no")
    console.print(table)
    console.print(listed(len(result["children"]), result.get("total"), offset, "children"))


def listed(shown_rows: int, total: int | None, offset: int, what: str) -> str:
    """The line under a listing: all of it, or which part of it, and how to see the rest."""
    if total is None or (offset == 0 and shown_rows >= total):
        return f"{shown_rows} {what}"
    if not shown_rows:
        return f"none of {total} {what} at offset {offset}"
    line = f"{what} {offset + 1}–{offset + shown_rows} of {total}"
    if offset + shown_rows < total:
        line += f" (more with --offset {offset + shown_rows}, or a larger --limit)"
    return line


def history(
    kind: Annotated[str, typer.Argument(help="child, volunteer, pair, wish, concern, fund, station, team, donor, "
                                              "gift_pack, submission, nomination… (an unknown kind is answered "
                                              "with every known one)")],
    aggregate_id: str, json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """One aggregate's events in order, with actor and time (the kinds are the contract's aggregate types)."""
    if not kind.replace("_", "").isalpha():
        fail(f"{kind!r} is not an aggregate type: letters and '_' only (e.g. child, gift_pack)")
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
    """Rebuild read models from the log into shadow tables and swap them in, comparing them with
    the live ones, which keep serving meanwhile; a rebuild stopped midway resumes where it was."""
    from services.cli.rebuild_progress import follow, report

    async def main() -> dict:
        async with AdminClient(runtime(data_dir).nats_url, data_directory(data_dir)) as client:
            return await follow(client, projection or [], bar=not json_out)

    try:
        status = run(main())
    except KeyboardInterrupt:
        console.print("the rebuild goes on in the platform; 'aixin replay' follows it again")
        raise typer.Exit(130) from None
    report(status, json_out)
