"""Service hours (服务时长) over HTTP, by volunteer, team or direct sub-region, with names: a team's
and a region's for every role, a volunteer's only for the roles that see personal data (the others
get her id). From the `figure_ledger`'s service minutes (services.projections.figures.hours)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import InvalidRegion, parse_region
from services.activity.care.periods import month_bounds
from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.names import names_for
from services.api.schemas import ServiceHours, read
from services.api.scope import readable_region
from services.projections.figures.hours import BY, service_hours
from services.projections.team_rosters import team_names
from services.shared.privacy import KeyStore

EARLIEST = date(2000, 1, 1)  # before the programme: "from the start"
router = APIRouter(tags=["figures"])


def region_name(code: str) -> str:
    try:
        return parse_region(code).name
    except InvalidRegion:
        return code


async def named_holders(conn: AsyncConnection, keys: KeyStore, caller: Caller, by: str, rows: list[dict]) -> list[dict]:
    """Each row with the name the caller may read beside its id (`name`; none for a volunteer whose
    name she may not see)."""
    if by == "region":
        return [{**row, "name": region_name(row["region"])} for row in rows]
    ids = [row["id"] for row in rows]
    found = (await names_for(conn, keys, caller, volunteer_ids=ids)).volunteers if by == "volunteer" \
        else await team_names(conn, ids)
    return [{**row, "name": found[row["id"]]} if row["id"] in found else row for row in rows]


def period(since: date | None, until: date | None, month: str | None) -> tuple[date, date]:
    """The days asked for: a month, or from and to (each optional), never past today."""
    today = datetime.now(UTC).date()
    if month and (since or until):
        raise HTTPException(422, "month: give a month, or from and to, not both")
    if month:
        try:
            since, until = month_bounds(month)
        except ValueError as error:
            raise HTTPException(422, f"month: {error}") from None
    since, until = since or EARLIEST, min(until or today, today)
    if since > until:
        raise HTTPException(422, f"from: {since} is after to ({until})")
    return since, until


@router.get("/regions/{code}/service-hours", **read(ServiceHours))
async def hours(code: str, db: Engine, keys: Keys,
                by: str = Query("volunteer", pattern=f"^({'|'.join(BY)})$", description="volunteer, team or region"),
                since: date | None = Query(None, alias="from", description="YYYY-MM-DD; default: from the start"),
                until: date | None = Query(None, alias="to", description="YYYY-MM-DD; default: today"),
                month: str | None = Query(None, pattern=r"^\d{4}-\d{2}$", description="a month instead of from/to"),
                limit: int = Query(100, ge=1, le=10_000), caller: Caller = Depends(signed_in)) -> dict:
    """The volunteers, teams or direct sub-regions of the region with the most service hours, named."""
    region = readable_region(caller, code)
    start, end = period(since, until, month)
    async with db.connect() as conn:
        rows = await named_holders(conn, keys, caller, by, await service_hours(conn, region, by, start, end, limit))
    return {"region": region.code, "level": region.level.value, "name": region.name, "by": by,
            "from": start.isoformat(), "until": end.isoformat(), "holders": rows}
