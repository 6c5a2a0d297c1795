"""`aixin teams REGION [TEAM_ID]` and `aixin stations REGION [STATION_ID] [--from --to]`: an
office's volunteer teams (or one team's roster, names for the roles that see them) and its stations
with the activities held at each (or one station's, by kind)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.common import office_named, AsJson, DataDir, console, get_json, region_arg, shown

Since = Annotated[Optional[str], typer.Option("--from", help="YYYY-MM-DD; default: from the start")]
Until = Annotated[Optional[str], typer.Option("--to", help="YYYY-MM-DD; default: today")]


def _echo(result: dict) -> None:
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def teams(region: str, team_id: Annotated[Optional[str], typer.Argument(help="one team's roster")] = None,
          json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """The volunteer teams of a region, or one team's members now and before."""
    code = region_arg(region)
    result = get_json(data_dir, f"/teams/{team_id}" if team_id else f"/regions/{code}/teams")
    if json_out:
        return _echo(result)
    if not team_id:
        grid = Table("team", "level", "region", "formed on", "members now", "id", title=f"{result['name']} teams")
        for team in result["teams"]:
            grid.add_row(shown(team["name"]), team["level"], office_named(team["region"]), team["formed_on"], str(team["members"]),
                         team["team_id"])
        return console.print(grid)
    grid = Table("volunteer", "joined on", "left on", "id", title=shown(f"{result['name']}, {office_named(result['region'])}"))
    for member in result["members"] + result["former"]:
        name = shown(member["volunteer_name"]) if member.get("volunteer_name") else "[dim](name not shown to this role)"
        grid.add_row(name, member["joined_on"], member.get("left_on", ""), member["volunteer_id"])
    console.print(grid)


def stations(region: str, station_id: Annotated[Optional[str], typer.Argument(help="one station's page")] = None,
             since: Since = None, until: Until = None, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """The stations of a region with what was held at each, or one station's activities by kind."""
    period = {k: v for k, v in (("from", since), ("to", until)) if v}
    path = f"/stations/{station_id}" if station_id else f"/regions/{region_arg(region)}/stations"
    result = get_json(data_dir, path, **period)
    if json_out:
        return _echo(result)
    title = f"{shown(result['name'])}, {result['from']} – {result['until']}"
    rows = [{**r, "name": r["kind"]} for r in result["by_kind"]] if station_id else result["stations"]
    grid = Table("kind" if station_id else "station", "activities", "person-times", "children named",
                 "volunteers named", *([] if station_id else ["opening days", "id"]), title=title)
    for row in rows:
        extra = [] if station_id else [", ".join(row["opening_days"]), row["station_id"]]
        grid.add_row(shown(row["name"]), f"{row['activities']:,}", f"{row['person_times']:,}", f"{row['children']:,}",
                     f"{row['volunteers']:,}", *extra)
    console.print(grid)
