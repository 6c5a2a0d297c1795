"""Rebuilding read models from the log while the live ones keep serving and following it.

A rebuild applies the log from its shadow checkpoints (1 for a new one) to the shadow tables
(`services.shared.follower.shadow`), in passes, each up to where the live projections stand when
it begins. Once a pass ends close behind them (`CLOSE_ENOUGH`), the live follower is paused for the
last stretch: once to open a snapshot of the database in which both stand at one position, where
the rebuilt tables are then compared with the live ones (unpaused), and once per projection for its
swap, which renames tables and copies no row. Live figures trail the log by about that long at most.
On SQLite, one writer at a time, shadow and live batches also take turns (`TURN_SECONDS`).
A rebuild that is stopped (cancelled, or its process killed) is resumed from its shadow
checkpoints, never from the start: by the next rebuild asked for, or by `Projector.run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from uuid import uuid4

from services.shared.follower.applier import Applier, read_checkpoints
from services.shared.follower.compare import differences
from services.shared.follower.shadow import Shadow

log = logging.getLogger("aixin.projections")
CLOSE_ENOUGH = 100  # events left to apply when the live follower is paused for the swap, at most
PASSES = 20  # after as many passes, pause anyway: the log grows faster than the rebuild applies it
TURN_SECONDS = 0.2  # where the shadow's writes and the live ones exclude each other (SQLite)
RETRY_SECONDS = 1.0  # before a swap that could not be made is tried again


@dataclass
class ReplayReport:
    projection: str
    events: int  # of the log, applied by this run of the rebuild (all its projections together)
    seconds: float
    equal: bool
    differences: list[str]

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Rebuild:
    """One rebuild of some of a projector's read models. `state`: starting, running, paused (the
    live follower, for the last stretch), comparing, done, stopped or failed."""

    def __init__(self, live: Applier, pause: asyncio.Lock, names: Sequence[str], shadow: Shadow) -> None:
        self.live, self.pause, self.shadow, self.log = live, pause, shadow, live.log
        self.projections = [live.projections[name] for name in names]
        self.applier = Applier(live.log, shadow.engine, self.projections)
        self.id = uuid4().hex[:12]
        self.state, self.error = "starting", None
        self.resumed_from = self.target = self.events = 0
        self.started, self.finished, self.paused_seconds, self.longest_pause = time.monotonic(), None, 0.0, 0.0
        self.size = 50 if shadow.one_writer else shadow.batch  # grows to what fits in a turn
        self.reports: list[ReplayReport] = []

    async def run(self) -> list[ReplayReport]:
        try:
            marks = await self.shadow.prepare(self.projections)
            self.applier.position = self.resumed_from = min(marks.values(), default=0)
            self.state = "running"
            differences = await self._follow_then_swap()
        except asyncio.CancelledError:
            self.state = "stopped"
            raise
        except Exception as error:
            self.state, self.error = "failed", f"{type(error).__name__}: {error}"
            log.exception("rebuild %s of %s failed; it resumes from its checkpoint when asked again",
                          self.id, ", ".join(p.name for p in self.projections))
            raise
        finally:
            self.finished = time.monotonic()
            await self.shadow.close(drop=True, known=list(self.live.projections))
        seconds = self.finished - self.started
        self.reports = [ReplayReport(p.name, self.events, seconds, not differences[p.name], differences[p.name])
                        for p in self.projections]
        self.state = "done"
        return self.reports

    async def _follow_then_swap(self) -> dict[str, list[str]]:
        while True:
            async with contextlib.AsyncExitStack() as stack:
                async with self._paused():  # both at one position, in a snapshot, for the comparison
                    seen = await stack.enter_async_context(self.shadow.snapshot())
                self.state = "comparing"
                found = await differences(seen, self.shadow, self.projections)
            if found is not None:
                break
        # One projection at a time, each with its checkpoint in one transaction: the live follower
        # takes its turn between two swaps, however many tables there are.
        for projection in self.projections:
            while True:
                async with self._paused():
                    swapped = await self.shadow.swap([projection])
                if swapped:
                    break
                await asyncio.sleep(RETRY_SECONDS)  # the live follower goes on meanwhile
            del self.applier.projections[projection.name]
        return found

    @contextlib.asynccontextmanager
    async def _paused(self) -> AsyncIterator[None]:
        """Close in on the live read models, then pause them and apply the last stretch."""
        for passes in itertools.count(1):
            self.state, self.target = "running", await self._live_mark()
            if self.target - self.applier.position <= CLOSE_ENOUGH or passes >= PASSES:
                break
            await self._catch_up(self.target)
        async with self.pause:
            paused = time.perf_counter()
            self.state = "paused"
            try:
                self.target = await self._live_mark()
                await self._catch_up(self.target, paused=True)
                yield
            finally:
                took = time.perf_counter() - paused
                self.paused_seconds, self.longest_pause = self.paused_seconds + took, max(self.longest_pause, took)

    async def _live_mark(self) -> int:
        async with self.live.engine.connect() as conn:
            marks = await read_checkpoints(conn, list(self.applier.projections))
        return max(marks.values(), default=0)

    async def _catch_up(self, target: int, paused: bool = False) -> None:
        start = self.applier.position + 1
        async for batch in self.log.batches(start, max_batch=self.shadow.batch, until_seq=target):
            while batch:
                part, batch = batch[:self.size], batch[self.size:]
                await self._apply(part, paused)

    async def _apply(self, batch: list, paused: bool) -> None:
        if paused or not self.shadow.one_writer:
            await self.applier._apply_batch(batch)
        else:  # the live follower's batches and the shadow's take turns, in order of arrival
            async with self.pause:
                started = time.perf_counter()
                await self.applier._apply_batch(batch)
            # As many events as fit in a turn of TURN_SECONDS, as fast as they have been applied.
            fit = int(TURN_SECONDS * len(batch) / max(time.perf_counter() - started, 1e-3))
            self.size = max(10, min(self.shadow.batch, self.size * 2, max(self.size // 2, fit)))
        self.events += len(batch)

    def status(self) -> dict:
        seconds = (self.finished or time.monotonic()) - self.started
        return {"id": self.id, "state": self.state, "projections": [p.name for p in self.projections],
                "position": self.applier.position, "target": self.target, "resumed_from": self.resumed_from,
                "events": self.events, "seconds": round(seconds, 3),
                "events_per_second": round(self.events / seconds) if seconds else 0,
                "paused_seconds": round(self.paused_seconds, 3), "longest_pause": round(self.longest_pause, 3),
                "error": self.error,
                "reports": [{**asdict(r), "seconds": round(r.seconds, 3),
                             "events_per_second": round(r.events_per_second)} for r in self.reports]}


class Rebuilds:
    """The rebuilds of one projector's read models: one at a time, the last one kept for its status."""

    def __init__(self, live: Applier, pause: asyncio.Lock) -> None:
        self.live, self.pause = live, pause
        self.current: Rebuild | None = None
        self._task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self, names: Sequence[str] | None = None) -> Rebuild:
        """Start a rebuild of `names` (all when none), together with any stopped midway, which
        continue from their checkpoints; while one is under way, that one."""
        if self.running:
            return self.current
        shadow = Shadow.of(self.live.engine)
        pending = await shadow.pending(list(self.live.projections))
        chosen = [n for n in self.live.projections if not names or n in names or n in pending]
        self.current = Rebuild(self.live, self.pause, chosen, shadow)
        self._task = asyncio.create_task(self._run(self.current), name=f"rebuild-{self.current.id}")
        return self.current

    async def resume(self) -> Rebuild | None:
        """Continue a rebuild that was stopped midway, if there is one."""
        shadow = Shadow.of(self.live.engine)
        pending = await shadow.pending(list(self.live.projections))
        await shadow.close()
        return await self.start(list(pending)) if pending and not self.running else None

    async def wait(self) -> list[ReplayReport]:
        """The reports of the rebuild under way (or the last one), once it is done."""
        if self._task is not None:
            await asyncio.wait({self._task})
        if self.current is None or self.current.state != "done":
            raise RuntimeError(f"the rebuild did not finish: {self.current and self.current.error}")
        return self.current.reports

    async def stop(self) -> None:
        if self.running:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    @staticmethod
    async def _run(rebuild: Rebuild) -> None:
        try:
            await rebuild.run()
        except Exception:  # noqa: BLE001  (logged by the rebuild; its status says why)
            pass

    def status(self) -> dict:
        return self.current.status() if self.current else {"state": "idle"}
