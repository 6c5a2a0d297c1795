"""Applying batches of the log to projections, exactly once in effect.

Each batch is applied in one database transaction together with each projection's checkpoint (the
last stream sequence it applied), so a crash or a redelivery never counts an event twice: events at
or below a projection's checkpoint are skipped. A message that is not an aixin event goes to the
dead-letter table with the reason, and the projection moves on. An event a projection fails on is
parked, with the later events of its aggregate held behind it, and the rest flows on
(`services.shared.follower.parking`). The live projector and a rebuild (which writes the same tables
in a shadow schema) both apply batches this way.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.operations import ParkedEventSkipped
from services.shared.db import upsert
from services.shared.eventlog import EventLog, MalformedEvent, RawMessage, StoredEvent
from services.shared.follower.parking import Parking, held, is_fault
from services.shared.follower.projection import Projection, checkpoints, dead_letters

log = logging.getLogger("aixin.projections")
SKIPPED = ParkedEventSkipped.type_name()


class Applier:
    """Projections on one engine, and where they stand in the log (`position`: the lowest of their
    checkpoints once read, then the last sequence of the last batch applied)."""

    def __init__(self, event_log: EventLog, engine: AsyncEngine, projections: Sequence[Projection]):
        self.log = event_log
        self.engine = engine
        self.projections = {p.name: p for p in projections}
        # The envelope names its event's type; the applier matches on that name once, so that
        # read models only ever see event classes.
        # By event type, the projections that read it: a batch is sorted out in one pass over its
        # events, not one per projection (14 of them: 4% of a rebuild of all read models).
        self._readers: dict[str, list[str]] = {}
        for projection in projections:
            for cls in projection.handles:
                self._readers.setdefault(cls.__name__, []).append(projection.name)
        # An event whose type (its header says) none of the projections handles is passed by
        # undecoded: rebuilding one read model decodes only the events it reads.
        # A skip of a parked event is the applier's own to apply (to every projection it names).
        self._wanted = frozenset({*self._readers, SKIPPED})
        self._applied = asyncio.Condition()
        self.position = 0

    async def _apply_batch(self, batch: list[RawMessage]) -> None:
        try:
            await self._apply(batch, careful=False)
        except Exception as error:
            if is_fault(error):
                raise
            log.warning("a projection failed on stream sequences %d to %d (%s); applying them one by one "
                        "to park what fails", batch[0].seq, batch[-1].seq, type(error).__name__)
            await self._apply(batch, careful=True)
        self.position = batch[-1].seq
        async with self._applied:
            self._applied.notify_all()

    async def _apply(self, batch: list[RawMessage], careful: bool) -> None:
        """The batch in one transaction; `careful`: each projection's events in a savepoint, and
        one by one for a projection that fails, parking what fails (`Parking.apply`)."""
        async with self.engine.begin() as conn:
            done = await locked_checkpoints(conn, self.projections)
            parking = Parking(conn, self.log, await held(conn, self.projections))
            events = await _decode(conn, [m for m in batch if m.event_type is None or m.event_type in self._wanted])
            todo: dict[str, list[StoredEvent]] = {name: [] for name in self.projections}
            skips: list[ParkedEventSkipped] = []
            for stored in events:
                if stored.envelope.event_type == SKIPPED and (skip := stored.event).projection in todo:
                    if stored.seq > done[skip.projection]:
                        skips.append(skip)
                for name in self._readers.get(stored.envelope.event_type, ()):
                    if name in todo and stored.seq > done[name]:  # not in todo: a rebuild swapped it in
                        todo[name].append(stored)
            for name, projection in self.projections.items():
                if careful:
                    await parking.apply(projection, parking.sort_out(name, todo[name]))
                elif free := parking.sort_out(name, todo[name]):
                    await projection.apply(conn, free)
            await parking.write()
            for skip in skips:  # after the batch's own events of the aggregate are parked behind it
                await parking.skip(self.projections[skip.projection], skip)
            await save_checkpoints(conn, {name: max(done[name], batch[-1].seq) for name in self.projections})

    async def read_position(self) -> int:
        async with self.engine.connect() as conn:
            self.position = min((await read_checkpoints(conn, self.projections)).values(), default=0)
        return self.position


async def _decode(conn: AsyncConnection, batch: list[RawMessage]) -> list[StoredEvent]:
    events = []
    for message in batch:
        try:
            events.append(message.decode_typed())
        except MalformedEvent as error:
            log.warning("%s", error)
            await conn.execute(upsert(conn.dialect.name, dead_letters).values(
                seq=error.seq, subject=error.subject, reason=error.reason[:2000]
            ).on_conflict_do_nothing())
    return events


async def locked_checkpoints(conn: AsyncConnection, projections) -> dict[str, int]:
    """The checkpoints, locked until the transaction ends: a second projector on the same database
    waits here, then sees what the first one applied, and never applies an event twice."""
    if conn.dialect.update_returning:  # the lock and the read in one statement: one trip fewer a batch
        rows = dict((await conn.execute(_lock_statement(True), {"names": list(projections)})).all())
        return {name: rows.get(name, 0) for name in projections}
    await conn.execute(_lock_statement(False), {"names": list(projections)})
    return await read_checkpoints(conn, projections)


@functools.cache
def _lock_statement(returning: bool):
    """Built once: a statement built per batch cost a live batch of one event more than running it."""
    c = checkpoints.c
    statement = update(checkpoints).where(c.projection.in_(bindparam("names", expanding=True))).values(last_seq=c.last_seq)
    return statement.returning(c.projection, c.last_seq) if returning else statement


async def read_checkpoints(conn: AsyncConnection, projections) -> dict[str, int]:
    rows = dict((await conn.execute(select(checkpoints.c.projection, checkpoints.c.last_seq))).all())
    return {name: rows.get(name, 0) for name in projections}


async def save_checkpoint(conn: AsyncConnection, name: str, seq: int) -> None:
    await save_checkpoints(conn, {name: seq})


async def save_checkpoints(conn: AsyncConnection, seqs: dict[str, int]) -> None:
    """Every projection's checkpoint with one prepared statement: a live batch of one event would
    otherwise build and compile a statement per read model."""
    await conn.execute(_checkpoint_statement(conn.dialect.name),
                       [{"projection": name, "last_seq": seq} for name, seq in seqs.items()])


@functools.cache
def _checkpoint_statement(dialect: str):
    statement = upsert(dialect, checkpoints)
    return statement.on_conflict_do_update(index_elements=["projection"],
                                           set_={"last_seq": statement.excluded.last_seq})
