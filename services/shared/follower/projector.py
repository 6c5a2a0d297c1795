"""Runs projections over the log, exactly once in effect (see `services.shared.follower.applier`),
and rebuilds them from the log into shadow tables while they keep following it
(`services.shared.follower.rebuild`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from services.shared.db import upsert, when_unlocked
from services.shared.eventlog import EventLog
from services.shared.follower.applier import Applier, read_checkpoints
from services.shared.follower.projection import Projection, checkpoints, metadata
from services.shared.follower.rebuild import Rebuilds, ReplayReport

__all__ = ["Projector", "ReplayReport"]
log = logging.getLogger("aixin.projections")


class Projector(Applier):
    def __init__(self, event_log: EventLog, engine: AsyncEngine, projections: Sequence[Projection]):
        super().__init__(event_log, engine, projections)
        self._lock = asyncio.Lock()  # a rebuild pauses the live loop for its swap
        self.rebuilds = Rebuilds(self, self._lock)

    async def create_schema(self) -> None:
        await when_unlocked(self._create_schema)

    async def _create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            for name, projection in self.projections.items():
                await conn.execute(upsert(conn.dialect.name, checkpoints)
                                   .values(projection=name, last_seq=0).on_conflict_do_nothing())
                # Tables a newer version added to a read model are filled from its other tables.
                if (upgrade := getattr(projection, "upgrade", None)) is not None:
                    await upgrade(conn)
            self.position = min((await read_checkpoints(conn, self.projections)).values(), default=0)

    async def run(self) -> None:
        """Follow the log for ever; after a database fault, start again from the checkpoints. A
        rebuild stopped midway (its process killed, say) goes on meanwhile; it stops with this."""
        try:
            await self.rebuilds.resume()
        except Exception:
            log.exception("a rebuild stopped midway could not be resumed; `aixin replay` tries again")
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
