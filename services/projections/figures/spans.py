"""Figures over any span of days (a named period's, or from one day to another): each flow summed
over its days, each stock as it stood at its end — and at its start (the end of the day before),
for the change over it; counties covered counted on read (`counties`) at both ends. Of the region
and of each direct sub-region, whose flows and stocks sum to the region's."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.projections.figures.arithmetic import month_ends
from services.projections.figures.catalogue import LEVELS
from services.projections.figures.counties import counties_covered, counties_covered_on
from services.projections.figures.queries import (figures_as_of, figures_with_subregions,
                                                   month_by_subregion, part_length, series)


async def with_counties(conn: AsyncConnection, region: Region, day: date, figures: dict,
                        rows: list[dict]) -> None:
    """Set the counties covered as of `day` on the region's figures and on each sub-region's row."""
    length = part_length(region)
    count, parts = await counties_covered(conn, region.prefix, day, length)
    figures["counties_covered"] = count
    for row in rows:
        row["counties_covered"] = parts.get(row["region"][:length], 0)


async def figures_on(conn: AsyncConnection, region: Region, day: date) -> tuple[dict, list[dict]]:
    """The region's figures as they stood at the end of `day` and its sub-regions', with the
    counties covered."""
    figures, rows = await figures_with_subregions(conn, region, day)
    await with_counties(conn, region, day, figures, rows)
    return figures, rows


async def figures_over(conn: AsyncConnection, region: Region, start: date, end: date
                       ) -> tuple[dict, list[dict], dict]:
    """(the region's figures over start..end — flows within, stocks at the end —, each direct
    sub-region's, and the region's stocks at the start: as they stood at the end of the day before)."""
    figures, rows = await month_by_subregion(conn, region, start, end)
    await with_counties(conn, region, end, figures, rows)
    before = start - timedelta(days=1)
    opening = await figures_as_of(conn, region, before)
    opening["counties_covered"] = (await counties_covered(conn, region.prefix, before, None))[0]
    return figures, rows, {key: value for key, value in opening.items() if key in LEVELS}


async def series_counted(conn: AsyncConnection, region: Region, year: int, until: date) -> list[dict]:
    """`queries.series` (month by month of `year` up to `until`), each month with the counties
    covered at its end."""
    months = await series(conn, region, year, until)
    ends = [end for _start, end in month_ends(year, until)][:len(months)]
    for month, covered in zip(months, await counties_covered_on(conn, region.prefix, ends)):
        month["counties_covered"] = covered
    return months
