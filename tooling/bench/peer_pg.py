"""The peer of the same durability for `aixin bench --peer`: pyeventsourcing on PostgreSQL.

aixin acknowledges a command once JetStream has fsynced its event (`sync_interval: always`); the
peer's registration returns once PostgreSQL has committed it, and with `fsync` and
`synchronous_commit` on (checked and printed) a commit is flushed to disk first. The peer registers
the same children as aixin's RegisterChild through the same `Children` application as the SQLite
peer (`tooling.bench.peer`), persisted by the library's own `eventsourcing.postgres` module: first
one at a time, then from 64 threads sharing the one application and so the library's connection
pool. The library takes an EXCLUSIVE lock on its events table in every insert so that the log's
order is the commit order; that lock, not the pool, is what 64 threads queue on. Then it rebuilds
the six-level counts from the stored events into a PostgreSQL table with the library's tracking.

Everything goes in a schema of its own, made for the run and dropped after it, so no one else's
tables are touched. The URL is `--peer-pg-url`, else AIXIN_BENCH_PG_URL, else the local server.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from importlib.metadata import version
from urllib.parse import urlsplit
from uuid import uuid4

from contracts.intake.registration import RegisterChild
from tooling.bench.peer import INSTALL_HINT, peer_rows

URL_VARIABLE = "AIXIN_BENCH_PG_URL"
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA_PREFIX = "aixin_bench_peer_"
IN_FLIGHT = 64

try:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.sql import SQL, Identifier

    from tooling.bench.peer import Children, rebuild
    from eventsourcing.persistence import PersistenceError
    from eventsourcing.postgres import PostgresTrackingRecorder
except ImportError:  # the optional extra is missing: unreachable() says how to install it
    psycopg = None
else:
    class PgRegionCounts(PostgresTrackingRecorder):
        """The count model as a table, beside the library's tracking table in the same schema."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.table = SQL("{0}.region_counts").format(Identifier(self.datastore.schema))
            self.sql_create_statements.append(SQL("CREATE TABLE IF NOT EXISTS {0} (region text PRIMARY KEY, "
                                                  "children integer NOT NULL)").format(self.table))

        def count_child(self, regions: list[str], tracking) -> None:
            # Counts and tracking in one transaction, as the SQLite peer's view does.
            with self.datastore.transaction(commit=True) as c:
                c.executemany(SQL("INSERT INTO {0} AS t VALUES (%s, 1) ON CONFLICT (region) "
                                  "DO UPDATE SET children = t.children + 1").format(self.table),
                              [(r,) for r in regions])
                self._insert_tracking(c, tracking)

        def counts(self) -> dict[str, int]:
            with self.datastore.transaction(commit=False) as c:
                c.execute(SQL("SELECT region, children FROM {0}").format(self.table))
                return {row["region"]: row["children"] for row in c.fetchall()}


class PeerDatabaseError(ValueError):
    """The peer's PostgreSQL URL cannot be read."""


def peer_pg_url(given: str | None = None) -> str:
    return given or os.environ.get(URL_VARIABLE) or LOCAL_URL


def connection_fields(url: str) -> dict[str, str]:
    """dbname, host, port, user and password from a postgresql:// URL (a SQLAlchemy driver suffix
    such as +asyncpg is allowed; a unix socket is `?host=/var/run/postgresql`)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise PeerDatabaseError(f"{url!r} is not a postgresql:// URL")
    if psycopg is None:
        raise PeerDatabaseError(f"the PostgreSQL peer needs psycopg: {INSTALL_HINT}")
    try:
        found = conninfo_to_dict(f"postgresql://{rest}")
    except psycopg.ProgrammingError as error:
        raise PeerDatabaseError(f"{shown(url)} cannot be read: {error}") from None
    return {"dbname": str(found.get("dbname") or found.get("user") or "postgres"),
            "host": str(found.get("host") or "127.0.0.1"), "port": str(found.get("port") or 5432),
            "user": str(found.get("user") or "postgres"), "password": str(found.get("password") or "")}


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    password = urlsplit(url).password
    return url.replace(f":{password}@", ":***@", 1) if password else url


def unreachable(url: str) -> str | None:
    """Why the peer cannot run on `url` (no driver, a bad URL, no answer), or None when it can."""
    if psycopg is None:
        return f"psycopg is not installed ({INSTALL_HINT})"
    try:
        fields = connection_fields(url)
        psycopg.connect(**fields, connect_timeout=3).close()
    except PeerDatabaseError as error:
        return str(error)
    except psycopg.Error as error:
        return f"no PostgreSQL answers at {shown(url)}: {str(error).strip().splitlines()[0]}"
    return None


def pg_peer_baseline(count: int, make_child: Callable[[int], RegisterChild], url: str,
                     villages: Sequence[str] | None = None, in_flight: int = IN_FLIGHT) -> dict:
    """Register `count` children one at a time and `count` more with `in_flight` threads, then
    rebuild the counts of both, in a spawned process. Where PostgreSQL cannot be used:
    {"peer_pg_skipped": why}."""
    why = unreachable(url)
    if why:
        return {"peer_pg_skipped": why}
    rows = peer_rows(count, make_child, villages)
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(_run, rows, connection_fields(url), in_flight).result()
    except (psycopg.Error, PersistenceError) as error:  # e.g. the server's connections all taken
        return {"peer_pg_skipped": f"the peer failed on {shown(url)}: {str(error).strip().splitlines()[0]}"}


async def pg_peer_baseline_async(count: int, make_child: Callable[[int], RegisterChild], url: str,
                                 villages: Sequence[str] | None = None) -> dict:
    return await asyncio.to_thread(pg_peer_baseline, count, make_child, url, villages)


def _run(rows: list[dict[str, str]], fields: dict[str, str], in_flight: int) -> dict:
    schema = f"{SCHEMA_PREFIX}{os.getpid()}_{uuid4().hex[:8]}"
    with _own_schema(fields, schema) as settings:
        env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_SCHEMA": schema,
               "POSTGRES_POOL_SIZE": str(in_flight), "POSTGRES_MAX_OVERFLOW": "0",
               **{f"POSTGRES_{key.upper()}": value for key, value in fields.items()}}
        app = Children(env=env)
        one = _seconds(lambda: [app.register(**r) for r in rows])
        with ThreadPoolExecutor(in_flight) as threads:
            many = _seconds(lambda: list(threads.map(lambda r: app.register(**r), rows)))
        app.close()
        # The rebuild reads with one connection at a time: a small pool, as max_connections is shared.
        rebuilt, seconds = rebuild({**env, "POSTGRES_POOL_SIZE": "2"}, {}, PgRegionCounts, rows + rows)
    return {"peer_pg_register_per_s": len(rows) / one, f"peer_pg_register_{in_flight}_per_s": len(rows) / many,
            "peer_pg_rebuild_per_s": rebuilt / seconds, "peer_pg_registered": 2 * len(rows),
            "peer_pg_rebuilt_events": rebuilt, "peer_pg_version": f"eventsourcing {version('eventsourcing')}",
            "peer_pg_notes": f"PostgreSQL {settings['server_version']} via eventsourcing.postgres (psycopg "
                             f"{psycopg.__version__}): fsync={settings['fsync']}, synchronous_commit="
                             f"{settings['synchronous_commit']}, wal_sync_method={settings['wal_sync_method']}; "
                             f"{len(rows)} registrations one at a time, then {len(rows)} from {in_flight} threads "
                             f"sharing one application and its pool of {in_flight} connections (the library's "
                             f"EXCLUSIVE lock on its events table orders the inserts); rebuild: one transaction "
                             f"per event (counts with tracking) in schema {schema}, dropped after the run"}


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


@contextmanager
def _own_schema(fields: dict[str, str], schema: str):
    """A schema made for this run, dropped after it; yields the server's durability settings."""
    with psycopg.connect(**fields, autocommit=True) as conn:
        conn.execute(SQL("DROP SCHEMA IF EXISTS {0} CASCADE").format(Identifier(schema)))
        conn.execute(SQL("CREATE SCHEMA {0}").format(Identifier(schema)))
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                    for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")}
    try:
        yield settings
    finally:
        with psycopg.connect(**fields, autocommit=True) as conn:
            conn.execute(SQL("DROP SCHEMA IF EXISTS {0} CASCADE").format(Identifier(schema)))
