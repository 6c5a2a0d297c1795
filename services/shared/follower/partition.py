"""Rebuilding read models by parts of the log, each part a subtree's subject filter, so that several
processes (or machines) rebuild one database together: a province's events are applied by the
process given that province, beside the others.

Each part keeps checkpoints of its own (`<read model>@<part>`), so parts never skip each other's
events, and applies its batches through the same `Applier` as the live projector: exactly once in
effect, resumable after a crash. Read models whose rows roll up across parts (the figure ledger's
national and provincial roll-ups) write them with upserts that sum, so the parts add up to what one
follower of the whole log writes. When every part has reached the same sequence of the log,
`finish` hands the read models the checkpoints of the whole log and removes the parts'.

The parts are the provinces' subtrees plus the national one (events owned by the nation itself):
an aggregate moved from one province to another (a child transferred across provinces) has events
in two parts; a rebuild by parts is exact only where no such move is applied out of order, which is
why the product's own rebuild (`services.shared.follower.rebuild`) stays one follower of the whole
log, and this one is for rebuilding a new database from scratch (a new node, a recovery).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.subjects import EVENTS_ROOT, PLACEHOLDER
from services.shared.eventlog import EventLog, StoredEvent
from services.shared.follower.applier import Applier, save_checkpoints
from services.shared.follower.projection import Projection, checkpoints

NATIONAL_PART = PLACEHOLDER  # events owned by the nation itself: aixin.evt._.…
ATTEMPTS = 5  # a batch that failed on the database (two parts deadlocked, say) is applied again


def part_filter(part: str) -> str:
    """The subject filter of a part: a province's two-digit code, or NATIONAL_PART."""
    return f"{EVENTS_ROOT}.{part}.>"


def part_name(projection: str, part: str) -> str:
    return f"{projection}@{part}"


class _PartOf:
    """A projection as one part applies it: the same tables and rules, a checkpoint of its own; it
    also keeps the seconds spent in its `apply` (what each read model costs the rebuild)."""

    def __init__(self, projection: Projection, part: str) -> None:
        self.projection, self.part = projection, part
        self.name = part_name(projection.name, part)
        self.tables, self.handles = projection.tables, projection.handles
        self.seconds = 0.0

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        started = time.perf_counter()
        await self.projection.apply(conn, events)
        self.seconds += time.perf_counter() - started


async def rebuild_parts(event_log: EventLog, engine: AsyncEngine, projections: Sequence[Projection],
                        parts: Iterable[str], until_seq: int, max_batch: int = 1000,
                        applied: Callable[[int], None] = lambda events: None) -> dict[str, float]:
    """Apply the log up to `until_seq` to `projections`, part after part, each from its own
    checkpoints (a part done earlier is passed by). Returns the seconds spent in each read model's
    `apply`; `applied(events)` is told of each batch read."""
    spent = {p.name: 0.0 for p in projections}
    for part in parts:
        wrapped = [_PartOf(p, part) for p in projections]
        applier = Applier(event_log, engine, wrapped)
        await _add_checkpoints(engine, [w.name for w in wrapped])
        if await applier.read_position() < until_seq:  # else: done by an earlier run
            # From the part's first event: what its checkpoints hold already, the applier passes by.
            async for batch in event_log.present(part_filter(part), max_batch=max_batch):
                if wanted := [m for m in batch if m.seq <= until_seq]:
                    await _apply(applier, wanted)
                    applied(len(wanted))
                if len(wanted) < len(batch):  # the rest was appended after until_seq
                    break
        for w in wrapped:
            spent[w.projection.name] += w.seconds
    return spent


async def _apply(applier: Applier, batch) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            await applier._apply_batch(batch)
            return
        except Exception:  # noqa: BLE001  (the checkpoints make a second try apply only what is missing)
            if attempt == ATTEMPTS:
                raise


async def _add_checkpoints(engine: AsyncEngine, names: list[str]) -> None:
    async with engine.begin() as conn:
        have = set((await conn.execute(select(checkpoints.c.projection)
                                       .where(checkpoints.c.projection.in_(names)))).scalars())
        if missing := [n for n in names if n not in have]:
            await save_checkpoints(conn, {n: 0 for n in missing})


async def finish(engine: AsyncEngine, projections: Sequence[Projection], parts: Iterable[str], until_seq: int) -> None:
    """Once every part has applied the log up to `until_seq`: the read models stand there."""
    parts = list(parts)
    names = [part_name(p.name, part) for p in projections for part in parts]
    async with engine.begin() as conn:
        await conn.execute(delete(checkpoints).where(checkpoints.c.projection.in_(names)))
        await save_checkpoints(conn, {p.name: until_seq for p in projections})
