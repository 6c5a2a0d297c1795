"""Teams and stations over HTTP, within the caller's subtree: a region's teams with how many are in
each, a team's roster (members' names for the roles that see personal data, ids for the others); a
region's stations and a station's page — opening days, the activities held over a period, their
attendance as given and those named among it (`team_rosters`, `station_pages`)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Query

from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.hours import period
from services.api.names import names_for
from services.api.schemas import Answer, Row, read
from services.api.scope import readable_region, require_readable
from services.projections.station_pages import region_stations, station_page
from services.projections.team_rosters import region_teams, team_roster

router = APIRouter(tags=["organisation"])
FROM = Query(None, alias="from", description="YYYY-MM-DD; default: from the start")
TO = Query(None, alias="to", description="YYYY-MM-DD; default: today")


class Teams(Answer):
    region: str
    name: str
    teams: list[Row]


class TeamRoster(Answer):
    team_id: str
    region: str
    name: str
    level: str
    formed_on: str
    members: list[Row]
    former: list[Row]


class Stations(Answer):
    region: str
    name: str
    stations: list[Row]


class StationPage(Answer):
    station_id: str
    region: str
    name: str
    opening_days: list[str]
    activities: int
    person_times: int
    by_kind: list[Row]
    recent: list[Row]


@router.get("/regions/{code}/teams", **read(Teams))
async def teams_of(code: str, db: Engine, caller: Caller = Depends(signed_in)) -> dict:
    """The teams of the region's subtree, each with the number of its present members."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        return {"region": region.code, "name": region.name, "teams": await region_teams(conn, region)}


@router.get("/teams/{team_id}", **read(TeamRoster))
async def roster(team_id: str, db: Engine, keys: Keys, caller: Caller = Depends(signed_in)) -> dict:
    """A team and its members, present and former, with the days they joined and left."""
    async with db.connect() as conn:
        found = await team_roster(conn, team_id)
        if found is None:
            raise HTTPException(404, f"no team with id {team_id}")
        require_readable(caller, found["region"], f"team {team_id}")
        everyone = [m["volunteer_id"] for m in found["members"] + found["former"]]
        names = await names_for(conn, keys, caller, volunteer_ids=everyone)
    return {**found, **{part: [names.volunteer(m) for m in found[part]] for part in ("members", "former")}}


@router.get("/regions/{code}/stations", **read(Stations))
async def stations_of(code: str, db: Engine, since: date | None = FROM, until: date | None = TO,
                      caller: Caller = Depends(signed_in)) -> dict:
    """The stations of the region's subtree: opening days, open or closed, and what was held at each."""
    region, (start, end) = readable_region(caller, code), period(since, until, None)
    async with db.connect() as conn:
        found = await region_stations(conn, region, start, end)
    return {"region": region.code, "name": region.name, "from": start.isoformat(), "until": end.isoformat(),
            "stations": found}


@router.get("/stations/{station_id}", **read(StationPage))
async def station(station_id: str, db: Engine, since: date | None = FROM, until: date | None = TO,
                  caller: Caller = Depends(signed_in)) -> dict:
    """A station: its opening days, its activities over the period in total and by kind, the latest."""
    start, end = period(since, until, None)
    async with db.connect() as conn:
        found = await station_page(conn, station_id, start, end)
    if found is None:
        raise HTTPException(404, f"no station with id {station_id}")
    require_readable(caller, found["region"], f"station {station_id}")
    return {**found, "from": start.isoformat(), "until": end.isoformat()}
