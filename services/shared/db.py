"""Database engines for read models and the key store: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from services.shared.many_rows import execute_many
from services.shared.sqlite_one_hop import OneHopDBAPI


def make_engine(url: str, durable: bool = False) -> AsyncEngine:
    """`sqlite+aiosqlite:///path.db` or `postgresql+asyncpg://...` (plain postgresql:// works too).

    `durable`: for data that cannot be rebuilt from the log (the key store) — SQLite syncs every
    commit to disk, as the log does, and leaves no copy of what it deletes or overwrites in the
    file (see `_sqlite_pragmas_key_store`)."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        url = url.replace("sqlite:///", "sqlite+aiosqlite:///", 1)
    if url.startswith("sqlite"):
        # One trip to the connection's thread a statement instead of four (`sqlite_one_hop`).
        engine = create_async_engine(url, connect_args={"timeout": 30}, module=OneHopDBAPI())
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas_key_store if durable else _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record, synchronous: str = "NORMAL") -> None:
    # WAL lets dashboards read while the projector writes; NORMAL sync is safe under WAL for read
    # models because they can always be rebuilt from the log.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA busy_timeout=30000")
    # SQLite's own page cache (2 MB a connection) is kept: 16 MB sped up 200,000 inserts by random
    # ids into a table of a million rows by a third on an idle machine and by nothing measurable on
    # a busy one, and cost the log followers, with a connection per thread, over 100 MB.
    cursor.close()


def _sqlite_pragmas_key_store(dbapi_connection, record) -> None:
    _sqlite_pragmas(dbapi_connection, record, "FULL")
    cursor = dbapi_connection.cursor()
    # A destroyed key must not outlive its row in the file: secure_delete zeroes the space SQLite
    # frees, both the old cell when a row is rewritten and cells left behind when pages are split
    # or merged — on every connection, since any write may move a key's bytes.
    cursor.execute("PRAGMA secure_delete=ON")
    # Once a checkpoint has emptied the WAL, its next commit cuts the file to what it wrote,
    # so frames holding old pages do not linger at the end of a reused WAL file. The key store
    # still truncates the WAL itself after each destruction (`KeyStore.destroy`); this covers
    # a truncation that could not run then.
    cursor.execute("PRAGMA journal_size_limit=0")
    cursor.close()


@functools.cache
def insert_if_absent(dialect: str, table):
    """INSERT … ON CONFLICT DO NOTHING for `table`, built once: run it with each row as parameters
    (`conn.execute(insert_if_absent(name, table), row)`). A statement made per row with
    `.values(**row)` embeds the row, and SQLAlchemy prepares each one anew, which cost projections
    most of their time per event."""
    return upsert(dialect, table).on_conflict_do_nothing()


T = TypeVar("T")
LOCKED_RETRIES = 60


async def when_unlocked(step: Callable[[], Awaitable[T]]) -> T:
    """Run `step` (a transaction), again while SQLite says 'database is locked'. SQLite refuses at
    once, whatever its busy timeout, a transaction that read before another process wrote; at start
    a previous instance may still be finishing its last batch (a child process of a killed
    `aixin up` stops on SIGTERM, not at once)."""
    for attempt in range(LOCKED_RETRIES):
        try:
            return await step()
        except OperationalError as error:
            if "database is locked" not in str(error) or attempt == LOCKED_RETRIES - 1:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


class RowsToWrite:
    """Rows a projection writes with prepared statements, held back and written together: one
    round trip to the database per statement and batch instead of one per event. A projection
    flushes them before it reads or updates rows they could touch, so its order of effects holds."""

    def __init__(self) -> None:
        self._rows: dict[int, tuple[Any, list[dict]]] = {}

    def add(self, statement, row: dict) -> None:
        self._rows.setdefault(id(statement), (statement, []))[1].append(row)

    async def flush(self, conn: AsyncConnection) -> None:
        for statement, rows in self._rows.values():
            await execute_many(conn, statement, rows)
        self._rows.clear()


def upsert(engine_or_dialect: AsyncEngine | str, table):
    """An INSERT that can take ON CONFLICT clauses, for the dialect in use."""
    name = engine_or_dialect if isinstance(engine_or_dialect, str) else engine_or_dialect.dialect.name
    return (pg_insert if name == "postgresql" else sqlite_insert)(table)
