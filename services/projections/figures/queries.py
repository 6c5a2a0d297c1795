"""Queries of the figure ledger: a region's figures as of a day, its monthly series, the same split
over its direct sub-regions, and service minutes per volunteer or team.

Each reads where `reads` says, never all the ledger's rows under a large region: as of today (no
row dated later) the running totals, a handful of rows per region; as of an earlier day the rows
by day of the region's roll-up, or of the ledger under a county or smaller. The answers are the
sums over the ledger's rows under the region's code range, filtered by day, exactly.
"""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import case, desc, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import PREFIX_LENGTHS, Region, region_name, subregions
from services.projections.figures.arithmetic import code_range, month_values, monthly
from services.projections.figures.catalogue import complete
from services.projections.figures.levels import TOTALS
from services.projections.figures.reads import own, parts, totals_as_of
from services.projections.figures.tables import service, teams, volunteers

THIS_LEVEL = "(this level)"


def _within(column, region: Region) -> list:
    if not region.prefix:
        return []
    low, high = code_range(region.prefix)
    return [column.between(low, high)]


def _sum_of(rows) -> dict[str, int]:
    return {figure: int(total) for figure, total in rows}


async def figures_as_of(conn: AsyncConnection, region: Region, day: date) -> dict:
    """Every figure of the region at the end of `day`: stocks as they stood, flows summed up to it."""
    if len(region.prefix) in TOTALS and (current := await totals_as_of(conn, region.prefix, day)):
        return complete(current[0])
    return await _as_of_by_day(conn, region, day)


async def _as_of_by_day(conn: AsyncConnection, region: Region, day: date) -> dict:
    rows = own(region.prefix)
    query = select(rows.figure, func.sum(rows.delta)).where(*rows.where, rows.day <= day).group_by(rows.figure)
    return complete(_sum_of(await conn.execute(query)))


async def series(conn: AsyncConnection, region: Region, year: int, until: date) -> list[dict]:
    """Month by month of `year` up to `until`: flows within each month, stocks at its end."""
    start = date(year, 1, 1)
    rows = own(region.prefix)
    opening = _sum_of(await conn.execute(select(rows.figure, func.sum(rows.delta))
                                         .where(*rows.where, rows.day < start).group_by(rows.figure)))
    days = await conn.execute(select(rows.day, rows.figure, func.sum(rows.delta))
                              .where(*rows.where, rows.day.between(start, until))
                              .group_by(rows.day, rows.figure))
    return [{"month": month, **complete(values)}
            for month, values in monthly(opening, [(d, f, int(v)) for d, f, v in days], year, until)]


def part_length(region: Region) -> int | None:
    """How many digits name the region's direct sub-regions (None for a community/village)."""
    lengths = list(PREFIX_LENGTHS.values())
    if not region.prefix:
        return lengths[0]
    index = lengths.index(len(region.prefix))
    return lengths[index + 1] if index + 1 < len(lengths) else None


def sub_rows(region: Region, found: dict[str, dict]) -> list[dict]:
    """One row per direct sub-region (every known one, and any other with figures), the region's own
    figures (an office's fund, a city's team) first as THIS_LEVEL: rows sum to the region's."""
    length = part_length(region)
    if length is None:
        return []
    known = _known_below(region, length)
    below = {code: _described(Region(code.ljust(12, "0"), _level(length))) for code in found if code not in known}
    below.update(known)
    own = region.code[:length] if region.prefix else None
    rows = []
    if own in found:
        rows.append({"region": region.code, "level": region.level.value, "name": THIS_LEVEL,
                     **complete(found[own])})
    for code in sorted(set(below) - {own}):
        sub, level, name = below[code]
        rows.append({"region": sub, "level": level, "name": name, **complete(found.get(code, {}))})
    return rows


@functools.lru_cache(maxsize=4096)
def _known_below(region: Region, length: int) -> dict[str, tuple[str, str, str]]:
    """The known direct sub-regions by their prefix: (code, level, name), looked up once per region
    (a province's twenty cities made anew for every read cost its stats a tenth of their time).
    Read only: the caller copies it."""
    return {r.code[:length]: _described(r) for r in subregions(region)}


def _described(region: Region) -> tuple[str, str, str]:
    return region.code, region.level.value, region_name(region)


def _level(length: int):
    return next(level for level, n in PREFIX_LENGTHS.items() if n == length)


async def figures_by_subregion(conn: AsyncConnection, region: Region, day: date) -> list[dict]:
    length = part_length(region)
    if length is None:
        return []
    if length in TOTALS and (current := await totals_as_of(conn, region.prefix, day, mine=False, parts=True)):
        return sub_rows(region, current[1])
    return await _parts_by_day(conn, region, day, length)


async def _parts_by_day(conn: AsyncConnection, region: Region, day: date, length: int) -> list[dict]:
    rows = parts(region.prefix, length)
    part = rows.part.label("part")
    query = (select(part, rows.figure, func.sum(rows.delta))
             .where(*rows.where, rows.day <= day).group_by(part, rows.figure))
    found: dict[str, dict] = {}
    for code, figure, total in await conn.execute(query):
        found.setdefault(code, {})[figure] = int(total)
    return sub_rows(region, found)


async def figures_with_subregions(conn: AsyncConnection, region: Region, day: date) -> tuple[dict, list[dict]]:
    """`figures_as_of` and `figures_by_subregion` together, as the stats route asks: as of today
    one statement at every level above the village."""
    length = part_length(region)
    if length in TOTALS and (current := await totals_as_of(conn, region.prefix, day, parts=True)):
        mine, found = current
        return complete(mine), sub_rows(region, found)
    if length is None:  # a village: its own figures only
        return await figures_as_of(conn, region, day), []
    # The totals do not answer as of `day` for the region, so neither for its parts: by day.
    return await _as_of_by_day(conn, region, day), await _parts_by_day(conn, region, day, length)


async def month_by_subregion(conn: AsyncConnection, region: Region, start: date, end: date
                             ) -> tuple[dict, list[dict]]:
    """A month's figures (flows within start..end, stocks at end) of the region and of each direct
    sub-region."""
    length = part_length(region)
    rows = parts(region.prefix, length) if length else own(region.prefix)  # a village: itself, one part
    part = rows.part.label("part")
    flow = func.sum(case((rows.day >= start, rows.delta), else_=0))
    query = (select(part, rows.figure, func.sum(rows.delta), flow)
             .where(*rows.where, rows.day <= end).group_by(part, rows.figure))
    levels: dict[str, dict] = {}
    flows: dict[str, dict] = {}
    total_level: dict[str, int] = {}
    total_flow: dict[str, int] = {}
    for code, figure, level, in_month in await conn.execute(query):
        levels.setdefault(code, {})[figure] = int(level)
        flows.setdefault(code, {})[figure] = int(in_month)
        total_level[figure] = total_level.get(figure, 0) + int(level)
        total_flow[figure] = total_flow.get(figure, 0) + int(in_month)
    found = {code: month_values(levels[code], flows[code]) for code in levels}
    rows = sub_rows(region, found) if part_length(region) else []
    return complete(month_values(total_level, total_flow)), rows


async def service_by_holder(conn: AsyncConnection, region: Region, holder: str, since: date, until: date,
                            limit: int = 100) -> list[dict]:
    """The volunteers (or teams) of the region by their service minutes from `since` to `until`."""
    standing, key = (volunteers, volunteers.c.volunteer_id) if holder == "volunteer" else (teams, teams.c.team_id)
    minutes = func.sum(service.c.minutes).label("minutes")
    query = (select(service.c.holder_id, standing.c.region, minutes, func.sum(service.c.activities))
             .join(standing, key == service.c.holder_id)
             .where(service.c.holder == holder, service.c.day.between(since, until),
                    *_within(standing.c.region, region))
             .group_by(service.c.holder_id, standing.c.region).order_by(desc(minutes), service.c.holder_id)
             .limit(limit))
    return [{"id": holder_id, "region": code, "minutes": int(total), "hours": round(int(total) / 60, 1),
             "activities": int(count)} for holder_id, code, total, count in await conn.execute(query)]
