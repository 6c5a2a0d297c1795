"""Reads of the region_stats read model: a region's figures (the sums over the codes under its
prefix), split one level down, and its exits by reason."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import PREFIX_LENGTHS, Region, region_name, subregions
from services.projections.region_stats import FIGURES, exit_reasons, region_figures


async def exits_by_reason(conn: AsyncConnection, region: Region) -> dict[str, int]:
    query = select(exit_reasons.c.reason, func.sum(exit_reasons.c.children)).group_by(exit_reasons.c.reason)
    if region.prefix:
        query = query.where(exit_reasons.c.region.startswith(region.prefix, autoescape=True))
    return {reason: int(count) for reason, count in await conn.execute(query)}


async def figures(conn: AsyncConnection, region: Region) -> dict[str, int]:
    query = select(*(func.coalesce(func.sum(region_figures.c[n]), 0).label(n) for n in FIGURES))
    if region.prefix:
        query = query.where(region_figures.c.region.startswith(region.prefix, autoescape=True))
    row = (await conn.execute(query)).one()
    return {name: int(row._mapping[name]) for name in FIGURES}


async def figures_by_subregion(conn: AsyncConnection, region: Region) -> list[dict]:
    """The region's figures split one level down (known subregions, plus any with figures)."""
    below = [r for r in _levels_below(region)][:1]
    if not below:
        return []
    length = PREFIX_LENGTHS[below[0]]
    part = func.substr(region_figures.c.region, 1, length).label("part")
    query = select(part, *(func.sum(region_figures.c[n]).label(n) for n in FIGURES)).group_by(part)
    if region.prefix:
        query = query.where(region_figures.c.region.startswith(region.prefix, autoescape=True))
    found = {row.part: row for row in await conn.execute(query)}
    codes = {r.code[:length] for r in subregions(region)} | set(found)
    result = []
    own = region.code[:length] if region.prefix else None
    if own in found:  # figures owned by the region itself, not by any subregion
        codes.discard(own)
        row = found[own]
        result.append({"region": region.code, "level": region.level.value, "name": "(this level)",
                       **{n: int(row._mapping[n]) for n in FIGURES}})
    for code in sorted(codes):
        sub = Region(code.ljust(12, "0"), below[0])
        row = found.get(code)
        result.append({"region": sub.code, "level": sub.level.value, "name": region_name(sub),
                       **{n: int(row._mapping[n]) if row else 0 for n in FIGURES}})
    return result


def _levels_below(region: Region):
    levels = list(PREFIX_LENGTHS)
    if region.prefix == "":
        return levels
    return levels[levels.index(region.level) + 1:]
