"""`aixin hours REGION --by volunteer|team|region [--from --to]`: service hours (服务时长) by
volunteer, team or direct sub-region, named — a volunteer by her name for the roles that see it,
else by her id (GET /regions/{code}/service-hours)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.common import AsJson, console, DataDir, get_json, given_day, region_arg, shown

HEADERS = {"volunteer": "volunteer", "team": "team", "region": "region"}


class By(StrEnum):
    volunteer = "volunteer"
    team = "team"
    region = "region"


def hours(
    region: str,
    by: Annotated[By, typer.Option(help="volunteer, team, or the region's direct sub-regions")] = By.volunteer,
    since: Annotated[Optional[str], typer.Option("--from", help="YYYY-MM-DD; default: from the start")] = None,
    until: Annotated[Optional[str], typer.Option("--to", help="YYYY-MM-DD; default: today")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """Service hours by volunteer, team or sub-region, most first, with names."""
    params = {"by": by.value, "limit": limit}
    for option, value in (("from", since), ("to", until)):
        if value is not None:
            params[option] = given_day(f"--{option}", value)
    result = get_json(data_dir, f"/regions/{region_arg(region)}/service-hours", **params)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    console.print(table(result))


def table(result: dict) -> Table:
    by = result["by"]
    title = f"{result['name']} service hours by {by}, {result['from']} – {result['until']}"
    columns = [HEADERS[by], "hours", "activities"] + (["volunteers"] if by == "region" else []) + ["id"]
    grid = Table(*columns, title=title)
    for row in result["holders"]:
        name = shown(row["name"]) if row.get("name") else "[dim](name not shown to this role)"
        cells = [name, f"{row['hours']:,.1f}", f"{row['activities']:,}"]
        grid.add_row(*cells, *([f"{row['volunteers']:,}"] if by == "region" else []), row["id"])
    if not result["holders"]:
        grid.caption = "no service hours in this period"
    return grid
