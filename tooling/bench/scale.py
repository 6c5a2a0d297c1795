"""`aixin bench --scale N`: the measurements that need a national-sized log, minutes each, never run
by the test suite.

1. The stats reads at every level with N children in the read models, on SQLite and (with
   `--pg-url`) on PostgreSQL: `tooling.bench.queries`, which fills them through the real
   projections from a synthetic log of N registrations across real villages, with the birthday
   reminders raised for them by today.
2. The same synthetic log appended to a real platform's JetStream through its event log, as the
   product appends (embedded server, fsync on every append), and applied by its real projector
   from empty read models; then a zero-downtime rebuild of every read model from that log, the log
   followers' resident memory sampled throughout.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from contracts.regions import parse_region
from contracts.subjects import event_subject
from services.cli.client import AdminClient
from services.projections.admin import REPLAY
from services.platform.children import FOLLOWERS, UP_CHILDREN
from services.platform.embedded_nats import free_port
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.shared.eventlog import EventLog, PendingEvent
from tooling.bench.home import measure_national_home
from tooling.bench.queries import measure_stats_queries, placed, registrations
from tooling.common import wait_for_read_models

PUBLISH_IN_FLIGHT = 256
SAMPLE_SECONDS = 0.5


PARTS = ("stats", "rebuild")


async def run_scale(children: int, console: Console, pg_url: str | None = None, parts: tuple[str, ...] = PARTS) -> dict:
    """`parts`: the stats reads (1.), the log's rebuild (2.), or both."""
    found: dict = {"children": children}
    with tempfile.TemporaryDirectory(prefix="aixin-bench-scale-") as tmp:
        if "stats" in parts:
            await _stats(Path(tmp), children, console, pg_url, found)
        if "rebuild" in parts:
            console.print(f"appending {children:,} registrations to a platform's log, then rebuilding…")
            found.update(await _log_and_rebuild(Path(tmp) / "platform", children))
    _print(found, console)
    return found


async def _stats(tmp: Path, children: int, console: Console, pg_url: str | None, found: dict) -> None:
    console.print(f"stats reads with {children:,} children on SQLite (filling the read models)…")
    found["stats_sqlite"] = await measure_stats_queries(f"sqlite+aiosqlite:///{tmp}/stats.db", children)
    _print_stats("stats_sqlite", found, console)
    found["home_sqlite"] = await measure_national_home(f"sqlite+aiosqlite:///{tmp}/stats.db")
    _print_home("home_sqlite", found, console)
    if pg_url:
        console.print(f"stats reads with {children:,} children on PostgreSQL…")
        found["stats_postgresql"] = await measure_stats_queries(pg_url, children)
        _print_stats("stats_postgresql", found, console)
        found["home_postgresql"] = await measure_national_home(pg_url)
        _print_home("home_postgresql", found, console)
    else:
        console.print("stats reads on PostgreSQL: skipped (give --pg-url of a database whose "
                      "read-model tables may be dropped)")


async def _log_and_rebuild(data_dir: Path, events: int) -> dict:
    logging.getLogger("faststream.access.nats").addFilter(lambda r: r.levelno >= logging.ERROR)
    platform = Platform(Settings(data_dir=data_dir, http_port=free_port()), children=UP_CHILDREN)
    await platform.start()
    try:
        followers = next(c for c in platform.running_children if c.spec == FOLLOWERS).process.pid
        memory = _Memory(followers)
        sampling = asyncio.create_task(memory.sample())
        started = time.perf_counter()
        await append_registrations(await platform.connect("intake"), events)
        appended = time.perf_counter() - started
        async with AdminClient(platform.embedded.url, data_dir) as admin:
            await wait_for_read_models(admin, timeout=24 * 3600)
            applied = time.perf_counter() - started
            memory.peak_mb = 0.0  # from here: the rebuild's
            replayed = await admin.request(REPLAY, {"projections": []}, timeout=24 * 3600)
        sampling.cancel()
        if not replayed.get("ok"):
            raise RuntimeError(f"the rebuild failed: {replayed.get('error')}")
        report = replayed["reports"][0]
        return {"log_append_per_s": events / appended, "live_apply_seconds": applied,
                "live_apply_per_s": events / applied, "rebuild_all_seconds": report["seconds"],
                "rebuild_all_per_s": report["events"] / report["seconds"],
                "rebuild_all_equal": all(r["equal"] for r in replayed["reports"]),
                "followers_peak_rss_mb": memory.peak_mb}
    finally:
        await platform.stop()


async def append_registrations(nc, events: int) -> None:
    """The synthetic registrations, appended through the product's event log (its subjects, message
    ids, headers, expected sequences and group commit), PUBLISH_IN_FLIGHT commands at a time."""
    log, gate = EventLog(nc), asyncio.Semaphore(PUBLISH_IN_FLIGHT)
    today = datetime.now(UTC).date()

    async def one(message, village: str) -> None:
        try:
            envelope = message.decode().envelope
            subject = event_subject(parse_region(village), "child", envelope.aggregate_id)
            await log.append([PendingEvent(subject, envelope, expected_seq=0)])
        finally:
            gate.release()

    villages = placed(events)
    tasks = set()
    for message, village in zip(registrations(villages, today), villages, strict=True):
        await gate.acquire()
        task = asyncio.create_task(one(message, village))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)


class _Memory:
    """The resident memory of a process, sampled (Linux: /proc/<pid>/status)."""

    def __init__(self, pid: int) -> None:
        self.status, self.peak_mb = Path(f"/proc/{pid}/status"), 0.0

    async def sample(self) -> None:
        while True:
            try:
                line = next(x for x in self.status.read_text().splitlines() if x.startswith("VmRSS:"))
                self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)
            except (OSError, StopIteration):
                pass  # not Linux, or the process is being restarted: no sample
            await asyncio.sleep(SAMPLE_SECONDS)


def _print_stats(name: str, found: dict, console: Console) -> None:
    p99 = ", ".join(f"{level} {ms:.2f}" for level, ms in found[name]["stats_query_p99_ms"].items())
    console.print(f"{name}: fill {found[name]['fill_seconds']} s; p99 ms by level: {p99}", highlight=False)


def _print_home(name: str, found: dict, console: Console) -> None:
    home = found[name]
    console.print(f"{name}: the national home page (GET /r/CN) first visit {home['first_ms']:,.0f} ms, "
                  f"first after the warm-up {home['first_warmed_ms']:,.0f} ms, later p50 {home['later_p50_ms']:,.0f} ms",
                  highlight=False)


def _print(found: dict, console: Console) -> None:
    """The rebuild's line (the stats reads were printed as each was measured)."""
    if "rebuild_all_seconds" not in found:
        return
    console.print(f"log of {found['children']:,} registrations appended at {found['log_append_per_s']:,.0f}/s; "
                  f"applied by the live projector from empty in {found['live_apply_seconds']:,.0f} s "
                  f"({found['live_apply_per_s']:,.0f} ev/s); rebuilt in {found['rebuild_all_seconds']:,.0f} s "
                  f"({found['rebuild_all_per_s']:,.0f} ev/s), equal: {found['rebuild_all_equal']}; "
                  f"log followers' peak RSS while rebuilding: {found['followers_peak_rss_mb']:,.0f} MB", highlight=False)
