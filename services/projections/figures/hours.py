"""Service hours (服务时长) from the ledger's service minutes: by volunteer, by team, or by the
region's direct sub-regions (a volunteer's minutes count where she is on file; a sub-region with
none is left out). Ids and codes only: whoever reads them adds the names a reader may see."""

from __future__ import annotations

from datetime import date

from sqlalchemy import desc, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.projections.figures.arithmetic import code_range
from services.projections.figures.queries import part_length, service_by_holder
from services.projections.figures.tables import service, volunteers

BY = ("volunteer", "team", "region")


def _within(column, region: Region) -> list:
    return [column.between(*code_range(region.prefix))] if region.prefix else []


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


async def service_by_subregion(conn: AsyncConnection, region: Region, since: date, until: date) -> list[dict]:
    """The volunteers' minutes of each direct sub-region of `region` (the region itself, for a village)."""
    length = part_length(region) or len(region.prefix)
    part = func.substr(volunteers.c.region, 1, length).label("part")
    minutes = func.sum(service.c.minutes).label("minutes")
    query = (select(part, minutes, func.sum(service.c.activities), func.count(func.distinct(service.c.holder_id)))
             .join(volunteers, volunteers.c.volunteer_id == service.c.holder_id)
             .where(service.c.holder == "volunteer", service.c.day.between(since, until),
                    *_within(volunteers.c.region, region))
             .group_by(part).order_by(desc(minutes), part))
    return [{"id": prefix, "region": prefix.ljust(12, "0"), "minutes": int(total), "hours": _hours(int(total)),
             "activities": int(count), "volunteers": int(people)}
            for prefix, total, count, people in await conn.execute(query)]


async def service_hours(conn: AsyncConnection, region: Region, by: str, since: date, until: date,
                        limit: int = 100) -> list[dict]:
    """The holders of `by` (volunteer, team or region) with their hours from `since` to `until`, most first."""
    if by == "region":
        return (await service_by_subregion(conn, region, since, until))[:limit]
    return await service_by_holder(conn, region, by, since, until, limit)
