"""Counties covered: how many counties (districts, county-level cities) have at least one active pair
on a day — the figure the national review quotes ("800 staff paired in 24 counties"). A county with
children on file but no pair standing is not covered.

Counted on read, not summed in the ledger: a count of distinct counties is no sum of deltas, and a
pair entered late with an earlier date must count from its own day. It is read from the ledger's
`active_pairs`: as of a day from the counties' running totals (`figure_totals`, parents the cities)
less their steps dated after it, where they answer as of it; else by summing the ledger's rows under
the region by county (for a province or the nation, every pair's rows: slower, exact). Below a
county, a town or village counts 1 if it has an active pair (so a county's towns may add up to more
than the county's 1: counties covered add up over the sub-regions of a city or above only).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.projections.figures.arithmetic import code_range
from services.projections.figures.levels import parent_of
from services.projections.figures.tables import ahead, ledger, totals

COUNTY, CITY = 6, 4
PAIRS = "active_pairs"


async def counties_covered(conn: AsyncConnection, prefix: str, day: date, part: int | None
                           ) -> tuple[int, dict[str, int]]:
    """(the counties covered under `prefix` as of `day`, and under each direct sub-region, by its
    prefix of `part` digits; none when `part` is None)."""
    finest = max(len(prefix), COUNTY, part or 0)  # by county, or by the parts below a county
    standing = await _from_totals(conn, prefix, day) if finest == COUNTY else None
    if standing is None:
        standing = await _from_ledger(conn, prefix, day, finest)
    places = [p for p, pairs in standing.items() if pairs > 0]
    parts: dict[str, set[str]] = defaultdict(set)
    for place in places if part else ():
        parts[place[:part]].add(place[:COUNTY])
    return len({p[:COUNTY] for p in places}), {code: len(found) for code, found in parts.items()}


async def counties_covered_on(conn: AsyncConnection, prefix: str, days: list[date]) -> list[int]:
    """The counties covered under `prefix` as of each of `days` (in order), from one read of the
    ledger by place and day rather than one read per day: a year's series asked twelve (206 of the
    national home page's 290 ms of CPU on a demo of 2,000 children)."""
    if not days:
        return []
    finest = max(len(prefix), COUNTY)
    low, high = code_range(prefix)
    place = func.substr(ledger.c.region, 1, finest)
    query = (select(place, ledger.c.day, func.sum(ledger.c.delta))
             .where(ledger.c.region.between(low, high), ledger.c.figure == PAIRS, ledger.c.day <= max(days))
             .group_by(place, ledger.c.day).order_by(ledger.c.day))
    steps = list(await conn.execute(query))
    standing: dict[str, int] = defaultdict(int)
    counts, next_step = [], 0
    for day in days:
        while next_step < len(steps) and steps[next_step][1] <= day:
            code, _, delta = steps[next_step]
            standing[code] += int(delta)
            next_step += 1
        counts.append(len({p[:COUNTY] for p, pairs in standing.items() if pairs > 0}))
    return counts


async def _from_ledger(conn: AsyncConnection, prefix: str, day: date, length: int) -> dict[str, int]:
    """Active pairs as of `day` by county (by town or village, under a county)."""
    low, high = code_range(prefix)
    place = func.substr(ledger.c.region, 1, length)
    query = (select(place, func.sum(ledger.c.delta))
             .where(ledger.c.region.between(low, high), ledger.c.figure == PAIRS, ledger.c.day <= day)
             .group_by(place))
    return {code: int(total) for code, total in await conn.execute(query)}


async def _from_totals(conn: AsyncConnection, prefix: str, day: date) -> dict[str, int] | None:
    """Active pairs by county under `prefix` (a county or above) from the running totals less the
    steps dated after `day`; None where a total has a settled step after `day` (read by day then)."""
    if len(prefix) == COUNTY:
        where, later = ([totals.c.parent == parent_of(prefix), totals.c.prefix == prefix],
                        [ahead.c.parent == parent_of(prefix), ahead.c.prefix == prefix])
    else:
        parents = [prefix]
        while parents and len(parents[0]) < CITY:  # down the levels to the cities under the region
            found = await conn.execute(select(totals.c.prefix).where(totals.c.parent.in_(parents),
                                                                     totals.c.figure == PAIRS))
            parents = sorted(found.scalars())
        where, later = [totals.c.parent.in_(parents)], [ahead.c.parent.in_(parents)]
    standing: dict[str, int] = {}
    query = select(totals.c.prefix, totals.c.total, totals.c.last_day).where(*where, totals.c.figure == PAIRS)
    for code, total, last_day in await conn.execute(query):
        if last_day > day:
            return None
        standing[code] = int(total)
    query = (select(ahead.c.prefix, func.sum(ahead.c.delta))
             .where(*later, ahead.c.figure == PAIRS, ahead.c.day > day).group_by(ahead.c.prefix))
    for code, step in await conn.execute(query):
        standing[code] = standing.get(code, 0) - int(step)
    return standing
