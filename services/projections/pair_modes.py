"""Read model: pairs and paired children per pairing mode, for any region at any of the six levels.

Counters are kept per owning leaf region and summed over a prefix. A pair counts
where it is owned (its first child's community); a child counts in `children_paired` of a mode
while it is in at least one active pair of that mode, where it lives, moving with it.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.intake.child_file import ChildPlaceCompleted, ChildTransferredIn, ChildTransferredOut
from contracts.pairing.matching import PairApproved, PairProposalWithdrawn, PairProposed, PairRejected
from contracts.pairing.pairs import ChildJoinedPair, ChildLeftPair, PairEnded, PairFormed, PairMode
from contracts.regions import Region
from services.projections.batch_rows import Rows
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


class _Batch:
    """What applying a batch builds up: the changes to the figures per (region, mode), written at
    its end with one statement; the pairs' modes and the children's standing per mode that its
    events name, read before them, kept in memory in their order and written back (batch_rows.py)."""

    def __init__(self) -> None:
        self.deltas: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.modes = Rows(pair_modes, ("mode",))  # a pair's mode, never changed once remembered
        self.held = Rows(child_modes, ("active",))  # (child, mode) -> the child's active pairs of it

    def mode(self, pair_id: str) -> str:
        found = self.modes.get(pair_id)
        return found["mode"] if found else "unknown"


def _counted(**steps: int):
    """A pair's event: it moves figures of the pair's mode where the pair is owned."""
    def count(batch: _Batch, stored: StoredEvent) -> None:
        here = batch.deltas[stored.envelope.region, batch.mode(stored.event.pair_id)]
        for figure, step in steps.items():
            here[figure] += step
    return count


def _stands(**steps: int):
    """A pair proposed or formed: its mode is remembered for its later events, which do not name it."""
    count = _counted(**steps)

    def stands(batch: _Batch, stored: StoredEvent) -> None:
        batch.modes.add({"pair_id": stored.event.pair_id, "mode": stored.event.mode.value})
        count(batch, stored)
    return stands


def _joined(batch: _Batch, stored: StoredEvent) -> None:
    _child_paired(batch, stored, stored.event.mode.value, 1)


def _left(batch: _Batch, stored: StoredEvent) -> None:
    # The event does not name the mode: the pair's remembered one.
    _child_paired(batch, stored, batch.mode(stored.event.pair_id), -1)


def _child_paired(batch: _Batch, stored: StoredEvent, mode: str, step: int) -> None:
    """Count the child in or out of a mode's active pairs, and in or out of `children_paired` of
    the mode if it became (un)paired in it."""
    child_id = stored.envelope.aggregate_id
    before = (batch.held.get((child_id, mode)) or {"active": 0})["active"]
    after = max(before + step, 0)
    batch.held.put({"child_id": child_id, "mode": mode, "active": after})
    if (before > 0) != (after > 0):
        batch.deltas[stored.envelope.region, mode]["children_paired"] += step


def _paired_modes(batch: _Batch, stored: StoredEvent) -> list[str]:
    return [row["mode"] for row in batch.held.having(stored.envelope.aggregate_id) if row["active"] > 0]


def _moved(step: int):
    """The child moves: its standing in each mode leaves one region (-1) and joins another (+1)."""
    def move(batch: _Batch, stored: StoredEvent) -> None:
        for mode in _paired_modes(batch, stored):
            batch.deltas[stored.envelope.region, mode]["children_paired"] += step
    return move


def _placed(batch: _Batch, stored: StoredEvent) -> None:
    """The child's village is completed: her standing leaves her county for it, in one event."""
    for mode in _paired_modes(batch, stored):
        batch.deltas[stored.event.from_region, mode]["children_paired"] -= 1
        batch.deltas[stored.event.region, mode]["children_paired"] += 1


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
CHILD_EVENTS = (ChildJoinedPair, ChildLeftPair, ChildTransferredOut, ChildTransferredIn, ChildPlaceCompleted)
NAMING_A_PAIR = (PairProposed, PairApproved, PairRejected, PairProposalWithdrawn, PairFormed, PairEnded,
                 ChildLeftPair)


class PairModes:
    name = "pair_modes"
    tables = (mode_figures, pair_modes, child_modes)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        batch = _Batch()
        await batch.modes.read(conn, "pair_id", (s.event.pair_id for s in events if isinstance(s.event, NAMING_A_PAIR)))
        await batch.held.read(conn, "child_id", (s.envelope.aggregate_id for s in events
                                                 if isinstance(s.event, CHILD_EVENTS)))
        for stored in events:
            APPLY[type(stored.event)](batch, stored)
        await batch.modes.write(conn)
        await batch.held.write(conn)
        if batch.deltas:
            await conn.execute(_figures_statement(conn.dialect.name), [
                {"region": region, "mode": mode, **{name: changes.get(name, 0) for name in MODE_FIGURES}}
                for (region, mode), changes in sorted(batch.deltas.items())])


@functools.cache
def _figures_statement(dialect: str):
    # Every figure is added to, the unchanged ones by 0: one statement for every (region, mode) row.
    statement = upsert(dialect, mode_figures)
    return statement.on_conflict_do_update(index_elements=["region", "mode"], set_={
        name: mode_figures.c[name] + statement.excluded[name] for name in MODE_FIGURES})


async def figures_by_mode(conn: AsyncConnection, region: Region) -> dict[str, dict[str, int]]:
    sums = [func.coalesce(func.sum(mode_figures.c[n]), 0).label(n) for n in MODE_FIGURES]
    query = select(mode_figures.c.mode, *sums).group_by(mode_figures.c.mode)
    if region.prefix:
        query = query.where(mode_figures.c.region.startswith(region.prefix, autoescape=True))
    found = {row.mode: {n: int(row._mapping[n]) for n in MODE_FIGURES} for row in await conn.execute(query)}
    return {mode.value: found.get(mode.value, dict.fromkeys(MODE_FIGURES, 0)) for mode in PairMode}
