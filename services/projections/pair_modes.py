"""Read model: pairs and paired children per pairing mode, for any region at any of the six levels.

Like region_stats, counters are kept per owning leaf region and summed over a prefix. A pair counts
where it is owned (its first child's community); a child counts in `children_paired` of a mode
while it is in at least one active pair of that mode, where it lives, moving with it.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.child_file import ChildPlaceCompleted, ChildTransferredIn, ChildTransferredOut
from contracts.matching import PairApproved, PairProposalWithdrawn, PairProposed, PairRejected
from contracts.pairing import ChildJoinedPair, ChildLeftPair, PairEnded, PairFormed, PairMode
from contracts.regions import Region
from services.shared.follower.projection import metadata
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent

MODE_FIGURES = ("proposed", "approved", "rejected", "withdrawn", "pairs_formed", "pairs_ended",
                "active_pairs", "children_paired")
mode_figures = Table(
    "pair_mode_figures", metadata,
    Column("region", String(12), primary_key=True),
    Column("mode", String(16), primary_key=True),
    *(Column(name, Integer, nullable=False, default=0) for name in MODE_FIGURES),
)
pair_modes = Table("pair_mode_pairs", metadata, Column("pair_id", String(64), primary_key=True),
                   Column("mode", String(16), nullable=False))
child_modes = Table(
    "pair_mode_children", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("mode", String(16), primary_key=True),
    Column("active", Integer, nullable=False),
)
Deltas = dict[tuple[str, str], dict[str, int]]  # (region, mode) -> figure -> change


def _counted(**steps: int):
    """A pair's event: it moves figures of the pair's mode where the pair is owned."""
    async def count(conn: AsyncConnection, stored: StoredEvent, deltas: Deltas) -> None:
        mode = await _mode(conn, stored.event.pair_id)
        for figure, step in steps.items():
            deltas[stored.envelope.region, mode][figure] += step
    return count


def _stands(**steps: int):
    """A pair proposed or formed: its mode is remembered for its later events, which do not name it."""
    count = _counted(**steps)

    async def stands(conn: AsyncConnection, stored: StoredEvent, deltas: Deltas) -> None:
        event = stored.event
        await conn.execute(upsert(conn.dialect.name, pair_modes).values(
            pair_id=event.pair_id, mode=event.mode.value).on_conflict_do_nothing())
        await count(conn, stored, deltas)
    return stands


async def _joined(conn: AsyncConnection, stored: StoredEvent, deltas: Deltas) -> None:
    await _child_paired(conn, stored, deltas, stored.event.mode.value, 1)


async def _left(conn: AsyncConnection, stored: StoredEvent, deltas: Deltas) -> None:
    # The event does not name the mode: the pair's remembered one.
    await _child_paired(conn, stored, deltas, await _mode(conn, stored.event.pair_id), -1)


async def _child_paired(
    conn: AsyncConnection, stored: StoredEvent, deltas: Deltas, mode: str, step: int,
) -> None:
    if await _child_step(conn, stored.envelope.aggregate_id, mode, step):
        deltas[stored.envelope.region, mode]["children_paired"] += step


def _moved(step: int):
    """The child moves: its standing in each mode leaves one region (-1) and joins another (+1)."""
    async def move(conn: AsyncConnection, stored: StoredEvent, deltas: Deltas) -> None:
        held = child_modes.c
        query = select(held.mode).where(held.child_id == stored.envelope.aggregate_id, held.active > 0)
        for (mode,) in await conn.execute(query):
            deltas[stored.envelope.region, mode]["children_paired"] += step
    return move


async def _placed(conn: AsyncConnection, stored: StoredEvent, deltas: Deltas) -> None:
    """The child's village is completed: her standing leaves her county for it, in one event."""
    held = child_modes.c
    query = select(held.mode).where(held.child_id == stored.envelope.aggregate_id, held.active > 0)
    for (mode,) in await conn.execute(query):
        deltas[stored.event.from_region, mode]["children_paired"] -= 1
        deltas[stored.event.region, mode]["children_paired"] += 1


APPLY = {
    PairProposed: _stands(proposed=1),
    PairApproved: _counted(approved=1),
    PairRejected: _counted(rejected=1),
    PairProposalWithdrawn: _counted(withdrawn=1),
    PairFormed: _stands(pairs_formed=1, active_pairs=1),
    PairEnded: _counted(pairs_ended=1, active_pairs=-1),
    ChildJoinedPair: _joined,
    ChildLeftPair: _left,
    ChildTransferredOut: _moved(-1),
    ChildTransferredIn: _moved(1),
    ChildPlaceCompleted: _placed,
}


class PairModes:
    name = "pair_modes"
    tables = (mode_figures, pair_modes, child_modes)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        deltas: Deltas = defaultdict(lambda: defaultdict(int))
        for stored in events:
            await APPLY[type(stored.event)](conn, stored, deltas)
        await _add(conn, deltas)


async def _mode(conn: AsyncConnection, pair_id: str) -> str:
    query = select(pair_modes.c.mode).where(pair_modes.c.pair_id == pair_id)
    return (await conn.execute(query)).scalar() or "unknown"


async def _child_step(conn: AsyncConnection, child_id: str, mode: str, step: int) -> bool:
    """Count the child in or out of a mode's active pairs; True if it became (un)paired in it."""
    held = child_modes.c
    query = select(held.active).where(held.child_id == child_id, held.mode == mode)
    before = (await conn.execute(query)).scalar() or 0
    after = max(before + step, 0)
    statement = upsert(conn.dialect.name, child_modes).values(child_id=child_id, mode=mode, active=after)
    await conn.execute(statement.on_conflict_do_update(index_elements=["child_id", "mode"], set_={"active": after}))
    return (before > 0) != (after > 0)


async def _add(conn: AsyncConnection, deltas) -> None:
    for (region, mode), changes in deltas.items():
        statement = upsert(conn.dialect.name, mode_figures).values(
            region=region, mode=mode, **{name: changes.get(name, 0) for name in MODE_FIGURES})
        await conn.execute(statement.on_conflict_do_update(
            index_elements=["region", "mode"],
            set_={name: mode_figures.c[name] + statement.excluded[name] for name in changes}))


async def figures_by_mode(conn: AsyncConnection, region: Region) -> dict[str, dict[str, int]]:
    sums = [func.coalesce(func.sum(mode_figures.c[n]), 0).label(n) for n in MODE_FIGURES]
    query = select(mode_figures.c.mode, *sums).group_by(mode_figures.c.mode)
    if region.prefix:
        query = query.where(mode_figures.c.region.startswith(region.prefix, autoescape=True))
    found = {row.mode: {n: int(row._mapping[n]) for n in MODE_FIGURES} for row in await conn.execute(query)}
    return {mode.value: found.get(mode.value, dict.fromkeys(MODE_FIGURES, 0)) for mode in PairMode}
