"""Read model: the programme's figures for any region at any of the six levels.

Counters are kept per owning (leaf) region; a region's figures are the sums over the codes that
start with its prefix, so a parent's figures equal the sum of its children's by construction.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity import VisitLogged, WishFulfilled, WishSubmitted
from contracts.child_file import (ChildExited, ChildPlaceCompleted, ChildRiskAssessed, ChildTransferredIn,
                                  ChildTransferredOut)
from contracts.intake import ChildRegistered, VolunteerRecruited
from contracts.pairing import ChildJoinedPair, ChildLeftPair, PairEnded, PairFormed
from contracts.regions import PREFIX_LENGTHS, Region, region_name, subregions
from contracts.volunteers import StationClosed, StationOpened, TeamFormed, VolunteerWithdrew
from services.shared.follower.projection import metadata
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


class _Batch:
    """What applying a batch builds up: the figures' changes per region, written at its end, and
    the rows of children registered in it, written before any child's row is read."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.registered = RowsToWrite()

    def here(self, stored: StoredEvent) -> dict[str, int]:
        """The changes to the figures of the event's region."""
        return self.deltas[stored.envelope.region]


def _count(**steps: int):
    """An event that moves only figures of its region, whatever came before."""
    async def count(batch: _Batch, stored: StoredEvent) -> None:
        here = batch.here(stored)
        for figure, step in steps.items():
            here[figure] += step
    return count


async def _registered(batch: _Batch, stored: StoredEvent) -> None:
    batch.here(stored)["children_registered"] += 1
    batch.registered.add(insert_if_absent(batch.conn.dialect.name, child_pair_counts), {
        "child_id": stored.envelope.aggregate_id, "region": stored.envelope.region, "active_pairs": 0})


def _child(change):
    """An event whose figures depend on the child's standing (how many active pairs it is in, its
    tier): `change(batch, stored, standing)` counts them and updates `standing`, written back."""
    async def apply(batch: _Batch, stored: StoredEvent) -> None:
        conn, child = batch.conn, child_pair_counts.c
        await batch.registered.flush(conn)  # the child's row is read next
        row = (await conn.execute(select(child.active_pairs, child.tier)
                                  .where(child.child_id == stored.envelope.aggregate_id))).first()
        pairs, tier = (row.active_pairs, row.tier) if row else (0, None)
        standing = {"active_pairs": pairs, "tier": tier}
        await change(batch, stored, standing)
        await conn.execute(child_pair_counts.update().where(child.child_id == stored.envelope.aggregate_id)
                           .values(**standing))
    return apply


def _paired(step: int):
    async def change(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
        before = standing["active_pairs"]
        after = standing["active_pairs"] = max(before + step, 0)
        batch.here(stored)["children_paired"] += (after > 0) - (before > 0)
    return change


async def _assessed(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
    here = batch.here(stored)
    if standing["tier"]:
        here[f"children_{standing['tier']}"] -= 1
    standing["tier"] = stored.event.tier.value
    here[f"children_{standing['tier']}"] += 1


def _moved(step: int, figure: str):
    """The child's standing leaves the old region (-1) and joins the new one (+1), and its row moves
    with it; each region counts the move in `figure`."""
    async def change(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
        here = batch.here(stored)
        here[figure] += 1
        here["children_registered"] += step
        here["children_paired"] += step * (standing["active_pairs"] > 0)
        if standing["tier"]:
            here[f"children_{standing['tier']}"] += step
        if step > 0:
            standing["region"] = stored.envelope.region
    return change


async def _placed(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
    """The child's village is completed: her standing leaves her county for it (not a move in or out)."""
    for region, step in ((stored.event.from_region, -1), (stored.event.region, 1)):
        here = batch.deltas[region]
        here["children_registered"] += step
        here["children_paired"] += step * (standing["active_pairs"] > 0)
        if standing["tier"]:
            here[f"children_{standing['tier']}"] += step
    standing["region"] = stored.event.region


async def _exited(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
    # The child stays on file where it was, counted as exited.
    batch.here(stored)["children_exited"] += 1
    await _count_exit(batch.conn, stored.envelope.region, stored.event.reason.value)


APPLY = {
    ChildRegistered: _registered,
    VolunteerRecruited: _count(volunteers_recruited=1),
    PairFormed: _count(pairs_formed=1, active_pairs=1),
    PairEnded: _count(pairs_ended=1, active_pairs=-1),
    VisitLogged: _count(visits_logged=1),
    WishSubmitted: _count(wishes_submitted=1),
    WishFulfilled: _count(wishes_fulfilled=1),
    VolunteerWithdrew: _count(volunteers_withdrawn=1),
    TeamFormed: _count(teams_formed=1),
    StationOpened: _count(stations_open=1),
    StationClosed: _count(stations_open=-1),
    ChildJoinedPair: _child(_paired(1)),
    ChildLeftPair: _child(_paired(-1)),
    ChildRiskAssessed: _child(_assessed),
    ChildTransferredOut: _child(_moved(-1, "children_moved_out")),
    ChildTransferredIn: _child(_moved(1, "children_moved_in")),
    ChildPlaceCompleted: _child(_placed),
    ChildExited: _child(_exited),
}


class RegionStats:
    name = "region_stats"
    tables = (region_figures, child_pair_counts, exit_reasons)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        batch = _Batch(conn)
        for stored in events:
            await APPLY[type(stored.event)](batch, stored)
        await batch.registered.flush(conn)
        await _add(conn, batch.deltas)


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
