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
from services.shared.db import RowsToWrite, insert_if_absent, upsert
from services.shared.eventlog import StoredEvent

FIGURES = ("children_registered", "children_paired", "volunteers_recruited", "active_pairs",
           "pairs_formed", "pairs_ended", "visits_logged", "wishes_submitted", "wishes_fulfilled",
           "children_exited", "children_moved_in", "children_moved_out", "children_red",
           "children_orange", "children_yellow", "children_blue", "volunteers_withdrawn",
           "teams_formed", "stations_open")

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
    Column("tier", String(8)),
)
exit_reasons = Table(
    "region_exit_reasons", metadata,
    Column("region", String(12), primary_key=True),
    Column("reason", String(32), primary_key=True),
    Column("children", Integer, nullable=False),
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
    "ChildExited": "children_exited",
    "ChildTransferredIn": "children_moved_in",
    "ChildTransferredOut": "children_moved_out",
    "VolunteerWithdrew": "volunteers_withdrawn",
    "TeamFormed": "teams_formed",
    "StationOpened": "stations_open",
}
CHILD_FILE = frozenset({"ChildJoinedPair", "ChildLeftPair", "ChildTransferredOut", "ChildTransferredIn",
                        "ChildRiskAssessed", "ChildExited"})


class RegionStats:
    name = "region_stats"
    tables = (region_figures, child_pair_counts, exit_reasons)
    handles = frozenset({*COUNTED, *CHILD_FILE, "StationClosed"})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        registered = RowsToWrite()
        for stored in events:
            envelope = stored.envelope
            kind, region = envelope.event_type, envelope.region
            if kind in COUNTED:
                deltas[region][COUNTED[kind]] += 1
            if kind == "PairFormed":
                deltas[region]["active_pairs"] += 1
            elif kind == "PairEnded":
                deltas[region]["active_pairs"] -= 1
            elif kind == "StationClosed":
                deltas[region]["stations_open"] -= 1
            elif kind == "ChildRegistered":
                registered.add(insert_if_absent(conn.dialect.name, child_pair_counts),
                               {"child_id": envelope.aggregate_id, "region": region, "active_pairs": 0})
            elif kind in CHILD_FILE:
                await registered.flush(conn)  # the child's row is read next
                await self._child_changed(conn, stored, deltas)
        await registered.flush(conn)
        await _add(conn, deltas)

    async def _child_changed(self, conn: AsyncConnection, stored: StoredEvent, deltas) -> None:
        """Figures that depend on the child's standing: paired or not, tier, where it lives."""
        envelope, data = stored.envelope, stored.envelope.data
        child = child_pair_counts.c
        row = (await conn.execute(select(child.active_pairs, child.tier)
                                  .where(child.child_id == envelope.aggregate_id))).first()
        pairs, tier = (row.active_pairs, row.tier) if row else (0, None)
        here = deltas[envelope.region]
        kind = envelope.event_type
        if kind in ("ChildJoinedPair", "ChildLeftPair"):
            after = max(pairs + (1 if kind == "ChildJoinedPair" else -1), 0)
            here["children_paired"] += (after > 0) - (pairs > 0)
            pairs = after
        elif kind == "ChildRiskAssessed":
            if tier:
                here[f"children_{tier}"] -= 1
            tier = data["tier"]
            here[f"children_{tier}"] += 1
        elif kind in ("ChildTransferredOut", "ChildTransferredIn"):
            # The child's standing leaves the old region and joins the new one.
            step = 1 if kind == "ChildTransferredIn" else -1
            here["children_registered"] += step
            here["children_paired"] += step * (pairs > 0)
            if tier:
                here[f"children_{tier}"] += step
        elif kind == "ChildExited":  # the child stays on file where it was, counted as exited
            await _count_exit(conn, envelope.region, data["reason"])
        moved = {"region": envelope.region} if kind == "ChildTransferredIn" else {}
        await conn.execute(child_pair_counts.update().where(child.child_id == envelope.aggregate_id)
                           .values(active_pairs=pairs, tier=tier, **moved))


async def _count_exit(conn: AsyncConnection, region: str, reason: str) -> None:
    statement = upsert(conn.dialect.name, exit_reasons).values(region=region, reason=reason, children=1)
    await conn.execute(statement.on_conflict_do_update(
        index_elements=["region", "reason"], set_={"children": exit_reasons.c.children + 1}))


async def exits_by_reason(conn: AsyncConnection, region: Region) -> dict[str, int]:
    query = select(exit_reasons.c.reason, func.sum(exit_reasons.c.children)).group_by(exit_reasons.c.reason)
    if region.prefix:
        query = query.where(exit_reasons.c.region.startswith(region.prefix, autoescape=True))
    return {reason: int(count) for reason, count in await conn.execute(query)}


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
