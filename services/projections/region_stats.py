"""Read model: the programme's figures for any region at any of the six levels.

Counters are kept per owning (leaf) region; a region's figures are the sums over the codes that
start with its prefix, so a parent's figures equal the sum of its children's by construction.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import PREFIX_LENGTHS, Region, region_name, subregions
from services.projections.base import metadata
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent

FIGURES = ("children_registered", "children_paired", "volunteers_recruited", "active_pairs",
           "pairs_formed", "pairs_ended", "visits_logged", "wishes_submitted", "wishes_fulfilled")

region_figures = Table(
    "region_figures", metadata,
    Column("region", String(12), primary_key=True),
    *(Column(name, Integer, nullable=False, default=0) for name in FIGURES),
)
# Whether a child counts as paired depends on how many active pairs it is in.
child_pair_counts = Table(
    "region_figures_child_pairs", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False),
    Column("active_pairs", Integer, nullable=False),
)

# event type -> figure it adds one to
COUNTED = {
    "ChildRegistered": "children_registered",
    "VolunteerRecruited": "volunteers_recruited",
    "PairFormed": "pairs_formed",
    "PairEnded": "pairs_ended",
    "VisitLogged": "visits_logged",
    "WishSubmitted": "wishes_submitted",
    "WishFulfilled": "wishes_fulfilled",
}


class RegionStats:
    name = "region_stats"
    tables = (region_figures, child_pair_counts)
    handles = frozenset({*COUNTED, "ChildJoinedPair", "ChildLeftPair"})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for stored in events:
            envelope = stored.envelope
            kind, region = envelope.event_type, envelope.region
            if kind in COUNTED:
                deltas[region][COUNTED[kind]] += 1
            if kind == "PairFormed":
                deltas[region]["active_pairs"] += 1
            elif kind == "PairEnded":
                deltas[region]["active_pairs"] -= 1
            elif kind == "ChildRegistered":
                await conn.execute(upsert(conn.dialect.name, child_pair_counts).values(
                    child_id=envelope.aggregate_id, region=region, active_pairs=0
                ).on_conflict_do_nothing())
            elif kind in ("ChildJoinedPair", "ChildLeftPair"):
                step = 1 if kind == "ChildJoinedPair" else -1
                if await self._child_paired_changes(conn, envelope.aggregate_id, step):
                    deltas[region]["children_paired"] += step
        await _add(conn, deltas)

    async def _child_paired_changes(self, conn: AsyncConnection, child_id: str, step: int) -> bool:
        row = (await conn.execute(select(child_pair_counts.c.active_pairs)
                                  .where(child_pair_counts.c.child_id == child_id))).first()
        before = row.active_pairs if row else 0
        after = max(before + step, 0)
        await conn.execute(child_pair_counts.update()
                           .where(child_pair_counts.c.child_id == child_id).values(active_pairs=after))
        return (before == 0) != (after == 0)


async def _add(conn: AsyncConnection, deltas: dict[str, dict[str, int]]) -> None:
    for region, changes in deltas.items():
        row = {name: changes.get(name, 0) for name in FIGURES}
        statement = upsert(conn.dialect.name, region_figures).values(region=region, **row)
        statement = statement.on_conflict_do_update(
            index_elements=["region"],
            set_={name: region_figures.c[name] + statement.excluded[name] for name in changes},
        )
        await conn.execute(statement)


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
