"""`aixin award …`: 最美爱心妈妈 — a district or town office nominates a volunteer for a year (her
record of that year attached by the platform), the city or province above grants the award or
declines the nomination with a reason; the nominations of a region listed, each volunteer named for
the roles that may read names."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.client import NotRunning, connect, request
from services.cli.common import AsJson, DataDir, call, console, get_json, given_day, office_named, region_arg, shown
from services.cli.credentials import AccessDenied

award_app = typer.Typer(help="最美爱心妈妈: nominations, awards and declines.", no_args_is_help=True)
Year = Annotated[int, typer.Option(min=2000, max=2100, help="the year of the recognition, e.g. 2026")]
On = Annotated[Optional[str], typer.Option("--on", help="the day it was done, YYYY-MM-DD (default: today)")]
STATUS = {"nominated": "waiting for review", "awarded": "awarded", "declined": "declined"}


def _post(data_dir, name: str, body: dict) -> dict:
    return call(data_dir, "POST", f"/commands/reporting/{name}", body={k: v for k, v in body.items() if v is not None})


@award_app.command()
def nominate(volunteer_id: str, year: Year, on: On = None, data_dir: DataDir = None) -> None:
    """Nominate a volunteer of your district or town for the year (her record is attached for you)."""
    reply = _post(data_dir, "nominate_volunteer", {"volunteer_id": volunteer_id, "year": year, "nominated_on": given_day("--on", on)})
    console.print(f"Nominated for 最美爱心妈妈 {year}: nomination {shown(reply['nomination_id'])}; "
                  f"the city or province office above reviews it.")


@award_app.command()
def grant(nomination_id: str, on: On = None, data_dir: DataDir = None) -> None:
    """Award the nominated volunteer (an approver of the city or province office above her)."""
    _post(data_dir, "award_volunteer", {"nomination_id": nomination_id, "awarded_on": given_day("--on", on)})
    console.print(f"Awarded: {_who(data_dir, nomination_id)}")


@award_app.command()
def decline(nomination_id: str, reason: Annotated[str, typer.Option(help="why, in a line")], on: On = None,
            data_dir: DataDir = None) -> None:
    """Decline a nomination, saying why (an approver of the city or province office above her)."""
    _post(data_dir, "decline_nomination", {"nomination_id": nomination_id, "reason": reason,
                                           "declined_on": given_day("--on", on)})
    console.print(f"Declined: {_who(data_dir, nomination_id)}")


def _who(data_dir, nomination_id: str) -> str:
    """The volunteer named (for roles that may read names) and the year; the id alone while the
    read models have not caught up yet."""
    try:
        found = request(connect(data_dir), "GET", f"/nominations/{nomination_id}")
    except (LookupError, AccessDenied, NotRunning):
        return shown(nomination_id)
    return f"{shown(found.get('name') or 'the volunteer')}, 最美爱心妈妈 {found['year']} ({shown(nomination_id)})"


@award_app.command("list")
def list_(region: str, year: Annotated[Optional[int], typer.Option(min=2000, max=2100)] = None,
          status: Annotated[Optional[str], typer.Option(help="nominated, awarded or declined")] = None,
          json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """The nominations of a region's volunteers, those waiting for review first, with their records."""
    params = {k: v for k, v in {"year": year, "status": status}.items() if v is not None}
    result = get_json(data_dir, f"/regions/{region_arg(region)}/nominations", **params)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    console.print(_table(result))
    counts = get_json(data_dir, f"/regions/{result['region']}/recognitions", **({"year": year} if year else {}))
    for row in counts["counts"]:
        if row["level"]:
            console.print(f"{row['year']}: {row['awarded']} awarded by a {row['level']} office, "
                          f"{row['declined']} declined")


def _table(result: dict) -> Table:
    table = Table("year", "volunteer" if result["personal"] else "volunteer id", "nominated by", "on",
                  "service h", "pairs", "children", "five ones met", "wishes", "status", "nomination",
                  title=f"最美爱心妈妈 — {office_named(result['region'])}")
    for row in result["nominations"]:
        record = row["record"]
        decided = f" by {office_named(row['decided_by'])} on {row['decided_on']}" if row["decided_on"] else ""
        why = f": {shown(row['reason'])}" if row.get("reason") else ""
        table.add_row(str(row["year"]), shown(row.get("name") or row["volunteer_id"]), office_named(row["nominated_by"]),
                      row["nominated_on"], f"{record['service_minutes'] / 60:.1f}", str(record["pairs"]),
                      str(record["children"]), f"{record['five_ones_met']}/{record['five_ones_judged']}",
                      str(record["wishes_fulfilled"]), f"{STATUS[row['status']]}{decided}{why}",
                      shown(row["nomination_id"]))
    return table
