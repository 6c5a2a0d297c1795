"""`aixin bench --national --events N`: a national history of N events (`tooling.bench.history`)
appended to a real JetStream log through the product's event log (fsync on every append, as the
product runs), then, on SQLite and (with `--pg-url`) PostgreSQL: every read model rebuilt from it
into a fresh database by 1, 2, 4 … processes, each on its provinces' subject filters
(`tooling.bench.partitions`), with each process's peak resident memory and the seconds each read
model took; the stats reads at every level and the national home page over what was rebuilt; the
sizes on disk of the log and each database. Every figure is written to `--figures` as soon as it is
measured (a run stopped midway keeps what it reached), beside the machine's load average then.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import nats
from rich.console import Console
from sqlalchemy import text

from contracts.subjects import STREAM
from services.platform.embedded_nats import EmbeddedNats
from services.projections.pair_compliance.cache import ComplianceCache
from services.shared.db import make_engine
from services.shared.eventlog import EventLog
from tooling.bench.client import percentile
from tooling.bench.history import EVENTS_PER_CHILD, append_history
from tooling.bench.home import measure_national_home
from tooling.bench.partitions import rebuild_by_processes
from tooling.bench.queries import LEVELS, regions_at, stats_read

SAMPLES = 50  # regions read per level


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages (what `uptime` shows): the machine is shared."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


class Figures(dict):
    """The run's figures, written to `path` after each step."""

    def __init__(self, path: Path | None, **first) -> None:
        super().__init__(first)
        self.path = path

    def put(self, key: str, value) -> None:
        self[key] = value
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self, ensure_ascii=False, indent=2) + "\n")


async def run_national(events: int, console: Console, pg_url: str | None = None, processes: tuple[int, ...] = (1, 2, 4),
                       figures_path: Path | None = None, samples: int = SAMPLES, together: bool = False) -> dict:
    """`together`: the databases measured at the same time rather than one after the other."""
    figures = Figures(figures_path, events_asked=events, events_per_child=round(EVENTS_PER_CHILD, 2), together=together,
                      cores=os.cpu_count(), started=datetime.now(UTC).isoformat(timespec="seconds"))
    with tempfile.TemporaryDirectory(prefix="aixin-bench-national-") as tmp:
        server = EmbeddedNats(Path(tmp) / "nats").start()
        try:
            nc = await nats.connect(server.url)
            await EventLog(nc).ensure_stream()
            console.print(f"appending a national history of about {events:,} events…")
            appended = await append_history(nc, events, progress=lambda n, s: figures.put(
                "appending", {"events": n, "seconds": round(s, 1), "events_per_s": round(n / s), "load": load()}))
            info = await nc.jetstream().stream_info(STREAM)
            figures.put("append", {"events": appended.events, "children": appended.children,
                                   "seconds": round(appended.seconds, 1),
                                   "events_per_s": round(appended.events / appended.seconds),
                                   "stream_bytes": info.state.bytes, "store_bytes": _bytes_under(server.store_dir),
                                   "load": load()})
            console.print(f"appended {appended.events:,} events for {appended.children:,} children at "
                          f"{appended.events / appended.seconds:,.0f}/s; the stream holds {info.state.bytes / 1e6:,.0f} MB")
            await nc.close()
            targets = {"sqlite": f"sqlite+aiosqlite:///{tmp}/read-models.db", **({"postgresql": pg_url} if pg_url else {})}
            measured = [_measure_database(figures, dialect, db_url, server.url, appended, processes, console, samples)
                        for dialect, db_url in targets.items()]
            if together:  # each database's figures then taken beside the other's work
                await asyncio.gather(*measured)
            else:
                for step in measured:
                    await step
        finally:
            server.stop()
    figures.put("finished", datetime.now(UTC).isoformat(timespec="seconds"))
    return figures


async def _measure_database(figures: Figures, dialect: str, db_url: str, nats_url: str, appended, processes,
                            console: Console, samples: int) -> None:
    found: dict = {"rebuilds": []}
    for count in processes:
        console.print(f"{dialect}: rebuilding every read model by {count} process(es)…")
        def progress(events: int, seconds: float, count=count) -> None:
            figures.put(f"{dialect}_rebuilding", {"processes": count, "events": events, "seconds": round(seconds),
                                                  "events_per_s": round(events / seconds), "load": load()})

        rebuilt = {**await rebuild_by_processes(nats_url, db_url, appended.villages, count, appended.events,
                                                progress), "load": load()}
        found["rebuilds"].append(rebuilt)
        figures.put(dialect, found)
        console.print(f"{dialect}, {count} process(es): {rebuilt['seconds']:,.0f} s ({rebuilt['events_per_s']:,} ev/s), "
                      f"peak RSS {rebuilt['peak_rss_mb']:,.0f} MB, load {rebuilt['load'][0]}", highlight=False)
    found["database_bytes"] = await _size(db_url)
    found["stats_ms"] = await _stats_reads(db_url, appended.villages, samples)
    found["stats_load"] = load()
    figures.put(dialect, found)
    found["home"] = {**await measure_national_home(db_url), "load": load()}
    figures.put(dialect, found)
    console.print(f"{dialect}: {found['database_bytes'] / 1e6:,.0f} MB; stats p99 ms by level "
                  f"{found['stats_ms']['p99']}; national home page {found['home']}", highlight=False)


def _bytes_under(folder: Path) -> int:
    """What the files under `folder` take (the log's store, its indexes and its metadata with it)."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


async def _size(db_url: str) -> int:
    if db_url.startswith("sqlite"):
        path = Path(db_url.split(":///", 1)[1])
        return sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text("SELECT pg_database_size(current_database())"))).scalar()
    finally:
        await engine.dispose()


async def _stats_reads(db_url: str, villages: list[str], samples: int) -> dict:
    """p50 and p99 ms of the stats route's reads, `samples` regions per level, as of today."""
    engine, cache, rng = make_engine(db_url), ComplianceCache(), random.Random(7)
    today = datetime.now(UTC).date()
    p50, p99 = {}, {}
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:  # what autovacuum would soon do after a bulk load
                await conn.execute(text("ANALYZE"))
        for level in LEVELS:
            regions = list(regions_at(villages, level, samples, rng))
            for region in regions[:5]:  # warm the pool and the caches, as a running API is
                await stats_read(engine, cache, region, today)
            timings = [await stats_read(engine, cache, region, today) for region in regions]
            p50[level], p99[level] = round(percentile(timings, 0.5), 2), round(percentile(timings, 0.99), 2)
    finally:
        await engine.dispose()
    return {"p50": p50, "p99": p99}
