"""How long `GET /regions/{code}/stats` spends in the database at every level, with `children`
children in the read models it reads.

The read models are filled through the real projections (`figure_ledger`, `pair_compliance`) by
the real Applier, a batch of 1000 events per transaction with the checkpoints, from a synthetic
log of registrations across real villages and the birthday reminders raised for them (which close
ahead of today, as a running programme's always do). Then each level's regions are read as the
route reads them — the figures, the sub-regions', the five-ones compliance — a different region
each time where the level has enough. `aixin bench --scale` calls `measure_stats_queries`;
`python -m tooling.bench.queries --children 1000000 --db-url …` runs it by hand.

The children are spread like a real programme's: most in a few provinces with many left-behind
children, the rest over every other province; within a province over its real villages (the
division data in contracts.regions), at random with a fixed seed; registered day by day over the
year up to today, so that "today" reads as the route's default does.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.envelope import FederationLevel
from contracts.intake.registration import ChildRegistered
from contracts.activity.reminders import ReminderRaised
from contracts.regions import PREFIX_LENGTHS, Region
from contracts.regions.divisions import villages_of
from services.activity.care.cadence import profile_named
from services.activity.reminders.rules import ChildWatch, birthday_coming
from services.platform import event_loop
from services.projections.figures.ledger import FigureLedger
from services.projections.figures.queries import figures_with_subregions, part_length
from services.projections.pair_compliance.cache import ComplianceCache
from services.projections.pair_compliance.model import PairCompliance
from services.shared.db import make_engine
from services.shared.eventlog import RawMessage
from services.shared.follower.applier import Applier
from services.shared.follower.projection import checkpoints, dead_letters, parked
from tooling.bench.client import percentile

# --- the synthetic log: raw messages as the event log hands them out, decoded by the applier ---
# Share of the children by province prefix (Sichuan, Henan, Hunan, Anhui, Guizhou, Jiangxi,
# Guangdong); the remaining share goes to all the other provinces alike.
WEIGHTS = {"51": 0.18, "41": 0.16, "43": 0.14, "34": 0.12, "52": 0.10, "36": 0.08, "44": 0.07}
DAYS = 365
SEALED = {"key_id": "", "alg": "A256GCM", "nonce": "AA==", "ciphertext": "eA=="}
ACTOR = {"operator_id": "bench", "level": "national", "region": "CN", "role": None}
NAMESPACE = uuid.UUID("6c1f3a52-4e0b-4c55-9a59-3d8e2f6b7a10")


def villages_by_province() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for code in villages_of(""):
        found.setdefault(code[:2], []).append(code)
    return found


def placed(children: int, seed: int = 13) -> list[str]:
    """The village of each child, in registration order."""
    rng = random.Random(seed)
    by_province = villages_by_province()
    others = [p for p in by_province if p not in WEIGHTS]
    rest = (1 - sum(WEIGHTS.values())) / len(others)
    provinces = [*WEIGHTS, *others]
    shares = [*WEIGHTS.values(), *([rest] * len(others))]
    return [rng.choice(by_province[p]) for p in rng.choices(provinces, shares, k=children)]


def birth_date(index: int) -> date:
    return date(2010 + index % 12, 1 + index % 12, 1 + index % 28)


def registrations(villages: list[str], today: date, seed: int = 13) -> Iterator[RawMessage]:
    """One ChildRegistered per village given, its day spread evenly over the last DAYS days."""
    rng = random.Random(seed)
    start = today - timedelta(days=DAYS - 1)
    count = len(villages)
    for index, village in enumerate(villages, start=1):
        child_id = f"bench-{index}"
        day = start + timedelta(days=(index - 1) * DAYS // count)
        data = {"child_id": child_id, "region": village, "sex": rng.choice(("female", "male")),
                "birth_date": birth_date(index).isoformat(),
                "category": "left_behind" if rng.random() < 0.8 else "in_difficulty", "subtype": None,
                "grade": None, "personal": {**SEALED, "key_id": child_id}, "guardian_relation": None,
                "guardian": None}
        yield _message(index, village, ChildRegistered, "child", child_id, day, data)


def birthday_reminders(villages: list[str], today: date, first_seq: int) -> Iterator[RawMessage]:
    """The birthday reminders the reminder process has raised by today, as if every child were
    paired: each a week before the birthday, closing the day after it — so that, as in a running
    programme, the figures always hold steps dated after their event."""
    seq = first_seq
    for index, village in enumerate(villages, start=1):
        child = ChildWatch(f"bench-{index}", village, birth_date(index), paired=True, red_since=None,
                           last_contact=None)
        raised = birthday_coming(child, today)
        if raised is None:
            continue
        yield _message(seq, village, ReminderRaised, "reminder", raised.reminder_id, raised.due_on,
                       raised.model_dump(mode="json"))
        seq += 1


def _message(seq: int, village: str, kind, aggregate: str, key: str, day: date, data: dict) -> RawMessage:
    """The event as the log hands it out, recorded on `day`; `key`: its aggregate's id, also its
    event id's name and its correlation."""
    at = datetime.combine(day, clock_time(9), UTC).isoformat()
    envelope = {"event_id": str(uuid.uuid5(NAMESPACE, key)), "event_type": kind.type_name(),
                "schema_version": kind.schema_version, "aggregate_type": aggregate,
                "aggregate_id": key, "aggregate_version": 1, "occurred_at": at, "recorded_at": at,
                "actor": ACTOR, "region": village, "correlation_id": key, "causation_id": key,
                "continues_on": None, "data": data}
    return RawMessage(seq, f"bench.{village}.{aggregate}.{key}", json.dumps(envelope).encode())


# --- filling the read models and reading them ---

BATCH = 1000  # events per transaction, as the projector applies them
PROFILE = "haimen"  # the route's default profile
LEVELS = ("national", "province", "city", "district", "street", "community")


async def fresh(db_url: str) -> AsyncEngine:
    """An engine on db_url with empty read models: a SQLite file is removed; on PostgreSQL (the
    database must exist) the tables are dropped and made anew."""
    if db_url.startswith(("sqlite", "sqlite+aiosqlite")):
        path = Path(db_url.split(":///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(db_url)
    tables = [checkpoints, dead_letters, parked, *FigureLedger.tables, *PairCompliance.tables]
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: checkpoints.metadata.drop_all(c, tables=tables))
        await conn.run_sync(lambda c: checkpoints.metadata.create_all(c, tables=tables))
    return engine


async def fill(engine: AsyncEngine, villages: list[str], today: date) -> float:
    """Seconds to apply one registration per village and the birthday reminders raised by today,
    BATCH to a transaction."""
    applier = Applier(None, engine, [FigureLedger(), PairCompliance()])  # no log: batches are handed in
    started = time.perf_counter()
    batch = []
    log = itertools.chain(registrations(villages, today), birthday_reminders(villages, today, len(villages) + 1))
    for message in log:
        batch.append(message)
        if len(batch) == BATCH:
            await applier._apply_batch(batch)
            batch = []
    if batch:
        await applier._apply_batch(batch)
    elapsed = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:  # what autovacuum would soon do after a bulk load
            await conn.execute(text("ANALYZE"))
    return elapsed


def regions_at(villages: list[str], level: str, samples: int, rng: random.Random) -> Iterator[Region]:
    """`samples` regions of the level that have children, each once while there are enough."""
    if level == "national":
        yield from (Region("CN", FederationLevel.national) for _ in range(samples))
        return
    length = PREFIX_LENGTHS[FederationLevel(level)]
    codes = sorted({v[:length] for v in villages})
    picked = rng.sample(codes, samples) if len(codes) >= samples else [rng.choice(codes) for _ in range(samples)]
    yield from (Region(code.ljust(12, "0"), FederationLevel(level)) for code in picked)


async def stats_read(engine: AsyncEngine, cache: ComplianceCache, region: Region, day: date) -> float:
    """Milliseconds for the route's reads of one region, as of `day`, on one pooled connection,
    with the compliance figures the route's process keeps (`cache`)."""
    profile, month = profile_named(PROFILE), day.strftime("%Y-%m")
    started = time.perf_counter()
    async with engine.connect() as conn:
        await figures_with_subregions(conn, region, day)
        await cache.figures(conn, region, month, profile, day, part_length(region))
    return (time.perf_counter() - started) * 1000


async def measure_stats_queries(db_url: str, children: int, samples: int = 200, *, refill: bool = True) -> dict:
    """{"fill_seconds", "stats_query_p50_ms": {level: ms}, "stats_query_p99_ms": {level: ms},
    "stats_query_p99_ms_max"} for `children` registrations in a fresh database at db_url.
    `refill=False` measures a database an earlier run with the same `children` filled (by hand:
    the fill of a million takes minutes)."""
    today = datetime.now(UTC).date()  # the route's default as_of
    villages = placed(children)
    engine = await fresh(db_url) if refill else make_engine(db_url)
    try:
        fill_seconds = await fill(engine, villages, today) if refill else 0.0
        # The million villages listed here are the benchmark's, not the API's: keep the collector
        # from walking them during the reads timed.
        gc.collect()
        gc.freeze()
        rng, cache = random.Random(7), ComplianceCache()
        p50, p99 = {}, {}
        for level in LEVELS:
            regions = list(regions_at(villages, level, samples, rng))
            for region in regions[:5]:  # warm the pool and the caches, as a running API is
                await stats_read(engine, cache, region, today)
            timings = [await stats_read(engine, cache, region, today) for region in regions]
            p50[level], p99[level] = percentile(timings, 0.5), percentile(timings, 0.99)
    finally:
        gc.unfreeze()
        await engine.dispose()
    return {"children": children, "dialect": engine.dialect.name, "fill_seconds": round(fill_seconds, 1),
            "stats_query_p50_ms": p50, "stats_query_p99_ms": p99, "stats_query_p99_ms_max": max(p99.values())}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tooling.bench.queries", description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--db-url", default="sqlite+aiosqlite:///bench_stats.db",
                        help="a SQLite file (removed first) or a PostgreSQL database (its read-model tables are dropped)")
    parser.add_argument("--no-fill", action="store_true",
                        help="measure the database as an earlier run with the same --children left it")
    args = parser.parse_args()
    result = event_loop.run(measure_stats_queries(args.db_url, args.children, args.samples, refill=not args.no_fill))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
