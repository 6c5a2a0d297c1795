"""Runs projections over the log, exactly once in effect (see `services.shared.follower.applier`),
rebuilds them from the log into shadow tables while they keep following it
(`services.shared.follower.rebuild`), and releases what they parked (`retry`, `skip`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.commands import Command
from contracts.envelope import Actor
from contracts.operations import ParkedEventSkipped, parked_event_id
from contracts.regions import parse_region
from services.shared.db import upsert, when_unlocked
from services.shared.eventlog import EventLog
from services.shared.follower.applier import Applier, locked_checkpoints, read_checkpoints
from services.shared.follower.parking import release
from services.shared.follower.projection import Projection, checkpoints, metadata, parked
from services.shared.unit_of_work import Deps, UnitOfWork
from services.shared.follower.rebuild import Rebuilds, ReplayReport

__all__ = ["Projector", "ReplayReport"]
log = logging.getLogger("aixin.projections")


class Projector(Applier):
    def __init__(self, event_log: EventLog, engine: AsyncEngine, projections: Sequence[Projection]):
        super().__init__(event_log, engine, projections)
        self._lock = asyncio.Lock()  # a rebuild pauses the live loop for its swap
        self.rebuilds = Rebuilds(self, self._lock)
        self.outdated: list[str] = []  # read models whose upgrade asked to be rebuilt from the log

    async def create_schema(self) -> None:
        await when_unlocked(self._create_schema)

    async def _create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            for name, projection in self.projections.items():
                await conn.execute(upsert(conn.dialect.name, checkpoints)
                                   .values(projection=name, last_seq=0).on_conflict_do_nothing())
                # Tables a newer version added to a read model are filled from its other tables;
                # what they cannot give, a rebuild from the log does (`run` starts it).
                if (upgrade := getattr(projection, "upgrade", None)) is not None and await upgrade(conn):
                    self.outdated.append(name)
            self.position = min((await read_checkpoints(conn, self.projections)).values(), default=0)

    async def run(self) -> None:
        """Follow the log for ever; after a database fault, start again from the checkpoints. A
        rebuild stopped midway (its process killed, say), or one an upgrade asked for, goes on
        meanwhile; it stops with this.
        Parked events are applied again first (`retry`)."""
        try:
            await self.rebuilds.resume()
            if self.outdated and not self.rebuilds.running:  # kept by an older version: rebuilt beside
                log.warning("rebuilding %s from the log: kept by an older version", ", ".join(self.outdated))
                await self.rebuilds.start(self.outdated)
        except Exception:
            log.exception("a rebuild stopped midway could not be resumed; `aixin replay` tries again")
        try:  # a fix ships with a restart: what was parked is applied again at once
            if (released := await self.retry())["applied"] or released["still_parked"]:
                log.warning("parked events applied again at start: %(applied)d; still parked: %(still_parked)d",
                            released)
        except Exception:
            log.exception("parked events could not be applied again at start; `aixin doctor retry` tries again")
        try:
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
                    await self.read_position()
        finally:
            await self.rebuilds.stop()

    async def wait_for(self, seq: int, timeout: float = 30.0) -> None:
        """Wait until every projection has applied the log up to `seq`."""
        async with self._applied:
            await asyncio.wait_for(self._applied.wait_for(lambda: self.position >= seq), timeout)

    async def replay(self, names: Sequence[str] | None = None) -> list[ReplayReport]:
        """Rebuild projections from the log into shadow tables, compare them with the live ones
        where both stand, and swap them in; the live loop goes on meanwhile, paused for the swap."""
        await self.rebuilds.start(names)
        return await self.rebuilds.wait()

    async def retry(self, names: Sequence[str] = (), aggregate: tuple[str, str] | None = None) -> dict:
        """Apply the parked events of `names` (all when none; of one aggregate, if given) again, each
        aggregate's in order; what fails again stays parked, with its new error."""
        c = parked.c
        query = select(c.projection, c.aggregate_type, c.aggregate_id).distinct()
        if names:
            query = query.where(c.projection.in_(list(names)))
        if aggregate is not None:
            query = query.where(c.aggregate_type == aggregate[0], c.aggregate_id == aggregate[1])
        applied = still = 0
        async with self._lock, self.engine.begin() as conn:
            await locked_checkpoints(conn, self.projections)  # no batch of another projector meanwhile
            for name, *held in (await conn.execute(query)).all():
                if name in self.projections:
                    done, left = await release(conn, self.log, self.projections[name], tuple(held))
                    applied, still = applied + done, still + left
        return {"applied": applied, "still_parked": still}

    async def skip(self, name: str, seq: int, reason: str, actor: Actor) -> dict:
        """Record in the log that `actor` drops the event `name` parked at `seq`, and why; once the
        projector has applied that record, the event is gone and its aggregate's held events have
        been applied again. A `LookupError` or `PermissionError` says why not."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(parked).where(parked.c.projection == name, parked.c.seq == seq))).first()
        if row is None:
            raise LookupError(f"{name} has no parked event at stream sequence {seq}")
        if not parse_region(actor.region).contains(parse_region(row.region)):
            raise PermissionError(f"the event at {seq} is of region {row.region}, outside {actor.region}")
        skipped = ParkedEventSkipped(
            parked_event_id=parked_event_id(name, seq), projection=name, seq=seq, subject=row.subject,
            event_type=row.event_type, region=row.region, error=row.error, reason=reason)
        # A skip seals nothing: no key store. Its command id names the event, so it is stored once.
        uow = UnitOfWork(Deps(log=self.log, keys=None), Command(command_id=f"skip-{skipped.parked_event_id}", actor=actor))
        await uow.load(ParkedEventSkipped.aggregate_type, skipped.parked_event_id)
        result = await uow.decide_and_commit(lambda: [skipped])
        await self.wait_for(await self.log.last_sequence())
        c = parked.c
        async with self.engine.connect() as conn:
            left = (await conn.execute(select(func.count()).where(
                c.projection == name, c.aggregate_type == row.aggregate_type, c.aggregate_id == row.aggregate_id))).scalar()
        return {"recorded_at_seq": result.get("seq"), "duplicate": result["duplicate"],
                "aggregate": f"{row.aggregate_type}:{row.aggregate_id}", "still_parked": left}
