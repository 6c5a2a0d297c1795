"""Runs projections over the log, exactly once in effect.

Each batch is applied in one database transaction together with each projection's checkpoint (the
last stream sequence it applied), so a crash or a redelivery never counts an event twice: events at
or below a projection's checkpoint are skipped. A message that is not an aixin event goes to the
dead-letter table with the reason, and the projection moves on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.shared.follower.projection import Projection, checkpoints, dead_letters, metadata
from services.shared.db import upsert, when_unlocked
from contracts.registry import EVENT_TYPES
from services.shared.eventlog import EventLog, MalformedEvent, RawMessage, StoredEvent, describe

log = logging.getLogger("aixin.projections")


@dataclass
class ReplayReport:
    projection: str
    events: int
    seconds: float
    equal: bool
    differences: list[str]

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Projector:
    def __init__(self, event_log: EventLog, engine: AsyncEngine, projections: Sequence[Projection]):
        self.log = event_log
        self.engine = engine
        self.projections = {p.name: p for p in projections}
        # The envelope names its event's type; the projector matches on that name once, so that
        # read models only ever see event classes.
        self._handled = {p.name: frozenset(cls.__name__ for cls in p.handles) for p in projections}
        self._lock = asyncio.Lock()  # a replay pauses the live loop
        self._applied = asyncio.Condition()
        self.position = 0

    async def create_schema(self) -> None:
        await when_unlocked(self._create_schema)

    async def _create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            for name in self.projections:
                await conn.execute(upsert(conn.dialect.name, checkpoints)
                                   .values(projection=name, last_seq=0).on_conflict_do_nothing())
            self.position = min((await _checkpoints(conn, self.projections)).values(), default=0)

    async def run(self) -> None:
        """Follow the log for ever; after a database fault, start again from the checkpoints."""
        while True:
            try:
                async for batch in self.log.batches(self.position + 1):
                    async with self._lock:
                        await self._apply_batch(batch)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("projection batch failed; retrying from the last checkpoint")
                await asyncio.sleep(1)
                async with self.engine.connect() as conn:
                    self.position = min((await _checkpoints(conn, self.projections)).values(), default=0)

    async def _apply_batch(self, batch: list[RawMessage]) -> None:
        async with self.engine.begin() as conn:
            done = await _locked_checkpoints(conn, self.projections)
            events = await _decode(conn, batch)
            for name, projection in self.projections.items():
                handled = self._handled[name]
                todo = [e for e in events if e.seq > done[name] and e.envelope.event_type in handled]
                if todo:
                    await projection.apply(conn, todo)
                await _save_checkpoint(conn, name, max(done[name], batch[-1].seq))
        self.position = batch[-1].seq
        async with self._applied:
            self._applied.notify_all()

    async def wait_for(self, seq: int, timeout: float = 30.0) -> None:
        """Wait until every projection has applied the log up to `seq`."""
        async with self._applied:
            await asyncio.wait_for(self._applied.wait_for(lambda: self.position >= seq), timeout)

    async def replay(self, names: Sequence[str] | None = None) -> list[ReplayReport]:
        """Rebuild projections from the log up to where the live ones stand, and compare."""
        chosen = [self.projections[n] for n in (names or self.projections)]
        async with self._lock:
            return [await self._replay_one(p) for p in chosen]

    async def _replay_one(self, projection: Projection) -> ReplayReport:
        started = time.perf_counter()
        async with self.engine.begin() as conn:
            until = (await _locked_checkpoints(conn, {projection.name: projection}))[projection.name]
            before = await _snapshot(conn, projection)
            for table in projection.tables:
                await conn.execute(delete(table))
            count = 0
            async for batch in self.log.batches(1, until_seq=until):
                handled = self._handled[projection.name]
                events = [e for e in await _decode(conn, batch) if e.envelope.event_type in handled]
                await projection.apply(conn, events)
                count += len(batch)
            after = await _snapshot(conn, projection)
        differences = _differences(before, after)
        return ReplayReport(projection.name, count, time.perf_counter() - started, not differences, differences)


async def _decode(conn: AsyncConnection, batch: list[RawMessage]) -> list[StoredEvent]:
    events = []
    for message in batch:
        try:
            events.append(_typed(message.decode()))
        except MalformedEvent as error:
            log.warning("%s", error)
            await conn.execute(upsert(conn.dialect.name, dead_letters).values(
                seq=error.seq, subject=error.subject, reason=error.reason[:2000]
            ).on_conflict_do_nothing())
    return events


def _typed(stored: StoredEvent) -> StoredEvent:
    """Check the event's data against its type now, so that no projection meets a bad one later.
    A type this version does not know passes: projections only look at the types they handle."""
    if stored.envelope.event_type in EVENT_TYPES:
        try:
            stored.event  # noqa: B018  (validated now, kept on the stored event)
        except ValidationError as error:
            raise MalformedEvent(stored.seq, stored.subject, describe(error)) from None
    return stored


async def _locked_checkpoints(conn: AsyncConnection, projections) -> dict[str, int]:
    """The checkpoints, locked until the transaction ends: a second projector on the same database
    waits here, then sees what the first one applied, and never applies an event twice."""
    await conn.execute(update(checkpoints).where(checkpoints.c.projection.in_(list(projections)))
                       .values(last_seq=checkpoints.c.last_seq))
    return await _checkpoints(conn, projections)


async def _checkpoints(conn: AsyncConnection, projections) -> dict[str, int]:
    rows = dict((await conn.execute(select(checkpoints.c.projection, checkpoints.c.last_seq))).all())
    return {name: rows.get(name, 0) for name in projections}


async def _save_checkpoint(conn: AsyncConnection, name: str, seq: int) -> None:
    statement = upsert(conn.dialect.name, checkpoints).values(projection=name, last_seq=seq)
    await conn.execute(statement.on_conflict_do_update(
        index_elements=["projection"], set_={"last_seq": statement.excluded.last_seq}))


async def _snapshot(conn: AsyncConnection, projection: Projection) -> dict[str, set[tuple]]:
    snapshot = {}
    for table in projection.tables:
        rows = await conn.execute(select(table))
        snapshot[table.name] = {tuple(str(v) for v in row) for row in rows}
    return snapshot


def _differences(before: dict[str, set[tuple]], after: dict[str, set[tuple]]) -> list[str]:
    found = []
    for table, rows in before.items():
        missing, extra = rows - after[table], after[table] - rows
        if missing or extra:
            found.append(f"{table}: {len(missing)} live rows differ from the rebuild, {len(extra)} rebuilt rows are new")
    return found
