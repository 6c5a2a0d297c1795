"""Rebuilding every read model into a fresh database by N processes, each following the log on its
provinces' subject filters (`services.shared.follower.partition`), and what it costs: the wall time,
the seconds each read model's `apply` took (summed over the processes), each process's peak
resident memory.

The provinces are dealt to the processes by their share of the children, largest first, each to the
process with the least so far; the national part (events owned by the nation) goes to the first.
A process is `python -m tooling.bench.partitions --nats-url … --db-url … --parts 51,41 --until N`,
which prints one JSON object of its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import nats

from services.platform import event_loop
from services.projections import all_projections
from services.shared.db import make_engine
from services.shared.eventlog import EventLog
from services.shared.follower.partition import NATIONAL_PART, finish, rebuild_parts
from services.shared.follower.projection import metadata
from services.shared.follower.projector import Projector

PROGRESS_SECONDS = 15  # between two looks at how far the processes have come


def deal(villages: list[str], processes: int) -> list[list[str]]:
    """The parts (province codes, and the national part) of each process, balanced by children."""
    load = Counter(v[:2] for v in villages)
    hands: list[list[str]] = [[NATIONAL_PART]] + [[] for _ in range(processes - 1)]
    weights = [0] * processes
    for province, children in sorted(load.items(), key=lambda item: (-item[1], item[0])):
        lightest = weights.index(min(weights))
        hands[lightest].append(province)
        weights[lightest] += children
    return hands


async def fresh_schema(db_url: str) -> None:
    """Empty read models at db_url: a SQLite file removed, PostgreSQL's tables dropped and made anew."""
    if db_url.startswith("sqlite"):
        path = Path(db_url.split(":///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(db_url)
    try:
        projections = all_projections()
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await Projector(None, engine, projections).create_schema()
    finally:
        await engine.dispose()


async def rebuild_by_processes(nats_url: str, db_url: str, villages: list[str], processes: int,
                               until_seq: int, progress: Callable[[int, float], None] | None = None) -> dict:
    """{"processes", "seconds", "events_per_s", "apply_seconds": {read model: s}, "peak_rss_mb" (the
    largest of the processes'), "each": [the processes' own figures]}. `progress(events, seconds)`
    is told every PROGRESS_SECONDS how many events the processes have applied together."""
    await fresh_schema(db_url)
    hands = [hand for hand in deal(villages, processes) if hand]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="aixin-bench-parts-") as tmp:
        counts = [Path(tmp) / f"{number}.count" for number in range(len(hands))]
        workers = [await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tooling.bench.partitions", "--nats-url", nats_url, "--db-url", db_url,
            "--parts", ",".join(hand), "--until", str(until_seq), "--count-file", str(count),
            stdout=asyncio.subprocess.PIPE) for hand, count in zip(hands, counts, strict=True)]
        watching = asyncio.create_task(_watch(counts, started, progress))
        outputs = await asyncio.gather(*(w.communicate() for w in workers))
        watching.cancel()
    seconds = time.perf_counter() - started
    if failed := [w.returncode for w in workers if w.returncode]:
        raise RuntimeError(f"a rebuild process failed (exit {failed[0]}); its error is above")
    each = [json.loads(out) for out, _ in outputs]
    engine = make_engine(db_url)
    try:
        await finish(engine, all_projections(), [p for hand in hands for p in hand], until_seq)
    finally:
        await engine.dispose()
    spent = Counter()
    for figures in each:
        spent.update(figures["apply_seconds"])
    return {"processes": processes, "seconds": round(seconds, 1), "events_per_s": round(until_seq / seconds),
            "apply_seconds": {k: round(v, 1) for k, v in spent.most_common()},
            "peak_rss_mb": max(f["peak_rss_mb"] for f in each), "each": each}


async def _watch(counts: list[Path], started: float, progress: Callable[[int, float], None] | None) -> None:
    while progress is not None:
        await asyncio.sleep(PROGRESS_SECONDS)
        done = sum(int(c.read_text() or 0) for c in counts if c.exists())
        progress(done, time.perf_counter() - started)


async def _worker(nats_url: str, db_url: str, parts: list[str], until_seq: int, count_file: Path | None) -> dict:
    nc = await nats.connect(nats_url)
    engine = make_engine(db_url)
    started, done, told = time.perf_counter(), [0], [0.0]

    def applied(events: int) -> None:  # how far it is, for the run's progress (written now and then)
        done[0] += events
        if count_file is not None and time.perf_counter() - told[0] > 1:
            count_file.write_text(str(done[0]))
            told[0] = time.perf_counter()

    try:
        spent = await rebuild_parts(EventLog(nc), engine, all_projections(), parts, until_seq, applied=applied)
    finally:
        await engine.dispose()
        await nc.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kilobytes
    return {"parts": parts, "seconds": round(time.perf_counter() - started, 1),
            "apply_seconds": {k: round(v, 2) for k, v in spent.items()}, "peak_rss_mb": round(peak_kb / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tooling.bench.partitions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--nats-url", required=True)
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--parts", required=True, help="province codes (and _ for the national part), comma-separated")
    parser.add_argument("--until", type=int, required=True, help="the last stream sequence to apply")
    parser.add_argument("--count-file", type=Path, help="where to write, now and then, how many events it applied")
    args = parser.parse_args()
    figures = event_loop.run(_worker(args.nats_url, args.db_url, args.parts.split(","), args.until, args.count_file))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
