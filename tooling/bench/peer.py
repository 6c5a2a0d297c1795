"""The peer baseline of `aixin bench --peer`: pyeventsourcing (the `eventsourcing` package) on SQLite
doing aixin's work, in a child process of its own, in the same run.

It registers the children one at a time through an eventsourcing `Application` (a `Child`
aggregate whose `Registered` event carries RegisterChild's fields), persisted by the library's own
SQLite module with its default durability, then rebuilds the six-level count model (children per
region at national, province, city, county, town and village level) from the stored events into a
SQLite table, through the library's `Projection` and `TrackingRecorder` (a materialised view that
records, in the same transaction as its counts, how far into the log it has got).

The library's `ProjectionRunner` cannot drive the projection here: it needs a recorder that can
`subscribe()`, which eventsourcing's SQLite recorder does not implement (only PostgreSQL's does),
so the rebuild pulls the log with the library's `NotificationLogReader` instead, as its
`Follower.pull_and_process` does. `eventsourcing` is the optional `bench` extra.
"""

from __future__ import annotations

import asyncio
import importlib.util
import multiprocessing
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

from contracts.intake.registration import RegisterChild
from contracts.regions import PREFIX_LENGTHS, communities, parse_region

INSTALL_HINT = "pip install 'aixin[bench]'"
NATIONAL = "CN"

try:
    from eventsourcing.application import Application
    from eventsourcing.dispatch import singledispatchmethod
    from eventsourcing.domain import Aggregate, event
    from eventsourcing.persistence import InfrastructureFactory, Tracking
    from eventsourcing.projection import Projection
    from eventsourcing.sqlite import SQLiteTrackingRecorder
    from eventsourcing.system import NotificationLogReader
    from eventsourcing.utils import Environment, get_topic
except ImportError:  # the optional extra is missing: peer_baseline() says how to install it
    pass
else:
    # Module-level classes: the library stores an event's topic as "module:qualname" and resolves
    # it again when it reads the event back.
    class Child(Aggregate):
        @event("Registered")
        def __init__(self, region: str, name: str, sex: str, birth_date: str, category: str,
                     subtype: str, address: str, guardian_relation: str, guardian_name: str,
                     guardian_phone: str) -> None:
            self.region, self.name, self.sex, self.birth_date = region, name, sex, birth_date
            self.category, self.subtype, self.address = category, subtype, address
            self.guardian = (guardian_relation, guardian_name, guardian_phone)

    class Children(Application):
        def register(self, **fields: str) -> None:
            self.save(Child(**fields))  # one transaction, committed before save() returns

    class RegionCounts(SQLiteTrackingRecorder):
        """The count model as a table, beside the library's tracking table in the same database."""

        def construct_create_table_statements(self) -> list[str]:
            return [*super().construct_create_table_statements(),
                    "CREATE TABLE IF NOT EXISTS region_counts (region TEXT PRIMARY KEY, "
                    "children INTEGER NOT NULL) WITHOUT ROWID"]

        def count_child(self, regions: list[str], tracking: Tracking) -> None:
            # Counts and tracking in one transaction, as the library's views do, so that a view
            # never counts an event twice or misses one.
            with self.datastore.transaction(commit=True) as c:
                c.executemany("INSERT INTO region_counts VALUES (?, 1) ON CONFLICT (region) "
                              "DO UPDATE SET children = children + 1", [(r,) for r in regions])
                self._insert_tracking(c, tracking)

        def counts(self) -> dict[str, int]:
            with self.datastore.transaction(commit=False) as c:
                c.execute("SELECT region, children FROM region_counts")
                return {row["region"]: row["children"] for row in c.fetchall()}

    class SixLevelCounts(Projection[RegionCounts]):
        name = "six_level_counts"
        topics = (get_topic(Child.Registered),)

        @singledispatchmethod
        def process_event(self, _: Any, tracking: Tracking) -> None:
            self.view.insert_tracking(tracking)

        @process_event.register
        def registered(self, domain_event: Child.Registered, tracking: Tracking) -> None:
            self.view.count_child(levels(domain_event.region), tracking)


class PeerUnavailable(RuntimeError):
    """The optional `eventsourcing` package is not installed."""


def levels(region: str) -> list[str]:
    """The six regions a child in `region` (12 digits) counts towards: CN, then each prefix."""
    return [NATIONAL, *(region[:length] for length in PREFIX_LENGTHS.values())]


def peer_baseline(count: int, make_child: Callable[[int], RegisterChild],
                  villages: Sequence[str] | None = None) -> dict:
    """Register `count` children built by `make_child` (aixin's bench passes its own `_child`) and
    rebuild the six-level counts, in a spawned child process; block until it is done.
    `villages` spreads the children round-robin over these 12-digit codes; by default over every
    village of the first child's county."""
    rows = peer_rows(count, make_child, villages)
    # spawn: a fresh interpreter, no event loop or threads inherited from the caller.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_run, rows).result()


def peer_rows(count: int, make_child: Callable[[int], RegisterChild],
              villages: Sequence[str] | None = None) -> list[dict[str, str]]:
    """The registrations' fields, built here (aixin's cost, not the peer's)."""
    if importlib.util.find_spec("eventsourcing") is None:
        raise PeerUnavailable(f"the peer baseline needs pyeventsourcing: {INSTALL_HINT}")
    if count < 1:
        raise ValueError("the peer baseline needs at least one child")
    children = [make_child(i) for i in range(count)]
    if villages is None:
        villages = [v.code for v in communities(parse_region(children[0].region).code[:6])]
    return [fields_of(child, villages[i % len(villages)]) for i, child in enumerate(children)]


async def peer_baseline_async(count: int, make_child: Callable[[int], RegisterChild],
                              villages: Sequence[str] | None = None) -> dict:
    """`peer_baseline` for a caller on an event loop: the loop keeps running while the peer does."""
    return await asyncio.to_thread(peer_baseline, count, make_child, villages)


def fields_of(child: RegisterChild, village: str) -> dict[str, str]:
    data = child.model_dump(mode="json")
    guardian = data["guardian"] or {}
    return {"region": village, "name": data["name"], "sex": data["sex"],
            "birth_date": data["birth_date"], "category": data["category"],
            "subtype": data["subtype"] or "", "address": data["address"] or "",
            "guardian_relation": guardian.get("relation", ""), "guardian_name": guardian.get("name", ""),
            "guardian_phone": guardian.get("phone") or ""}


def _run(rows: list[dict[str, str]]) -> dict:
    """In the child process: both measurements in a temporary directory of their own."""
    with tempfile.TemporaryDirectory(prefix="aixin-bench-peer-") as tmp:
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(Path(tmp) / "events.db")}
        app = Children(env=env)
        durability = _durability(app)
        started = time.perf_counter()
        for fields in rows:
            app.register(**fields)
        register_seconds = time.perf_counter() - started
        app.close()
        rebuilt, rebuild_seconds = rebuild(env, {"SQLITE_DBNAME": str(Path(tmp) / "counts.db")}, RegionCounts, rows)
    return {"peer_register_per_s": len(rows) / register_seconds,
            "peer_rebuild_per_s": rebuilt / rebuild_seconds,
            "peer_registered": len(rows), "peer_rebuilt_events": rebuilt,
            "peer_version": f"eventsourcing {version('eventsourcing')}",
            "peer_notes": f"SQLite via eventsourcing.sqlite with the library's defaults: {durability}; "
                          "one transaction per registration and one per event rebuilt (counts with "
                          f"tracking), the log read in sections of {Children.log_section_size} (library default); "
                          f"{len(set(r['region'] for r in rows))} villages"}


def rebuild(env: dict[str, str], view_settings: dict[str, str], view_class: type,
            rows: list[dict[str, str]]) -> tuple[int, float]:
    """Rebuild the counts from a freshly opened application's log into a `view_class` view (its
    settings over the application's); raise if they disagree with what was registered (`rows`)."""
    app = Children(env=env)  # a new instance: nothing cached from the registrations
    # The view's own store, built as ProjectionRunner builds it: a factory from an environment
    # named after the projection.
    view_env = Environment(SixLevelCounts.name, {**env, **view_settings})
    view = InfrastructureFactory.construct(env=view_env).tracking_recorder(view_class)
    projection = SixLevelCounts(view=view)
    reader = NotificationLogReader(app.notification_log, section_size=app.log_section_size)
    rebuilt, started = 0, time.perf_counter()
    for notifications in reader.select(start=1, topics=projection.topics):
        for notification in notifications:
            projection.process_event(app.mapper.to_domain_event(notification),
                                     Tracking(app.name, notification.id))
            rebuilt += 1
    seconds = time.perf_counter() - started
    expected = Counter(code for r in rows for code in levels(r["region"]))
    counts = view.counts()
    app.close()
    if counts != expected or counts.get(NATIONAL) != len(rows):
        wrong = {k: (counts.get(k), v) for k, v in expected.items() if counts.get(k) != v}
        raise RuntimeError(f"peer rebuild disagrees with the {len(rows)} registered (counted, expected): {wrong}")
    return rebuilt, seconds


def _durability(app: Any) -> str:
    """The settings the library leaves the connection with (it sets WAL and nothing else)."""
    with app.recorder.datastore.transaction(commit=False) as c:
        c.execute("PRAGMA journal_mode")
        journal = c.fetchone()[0]
        c.execute("PRAGMA synchronous")
        synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[c.fetchone()[0]]
    return f"journal_mode={journal}, synchronous={synchronous}"
