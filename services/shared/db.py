"""Database engines for read models and the key store: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(url: str, durable: bool = False) -> AsyncEngine:
    """`sqlite+aiosqlite:///path.db` or `postgresql+asyncpg://...` (plain postgresql:// works too).

    `durable`: for data that cannot be rebuilt from the log (the key store) — SQLite syncs every
    commit to disk, as the log does."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        url = url.replace("sqlite:///", "sqlite+aiosqlite:///", 1)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas_full if durable else _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record, synchronous: str = "NORMAL") -> None:
    # WAL lets dashboards read while the projector writes; NORMAL sync is safe under WAL for read
    # models because they can always be rebuilt from the log.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_pragmas_full(dbapi_connection, record) -> None:
    _sqlite_pragmas(dbapi_connection, record, "FULL")


def upsert(engine_or_dialect: AsyncEngine | str, table):
    """An INSERT that can take ON CONFLICT clauses, for the dialect in use."""
    name = engine_or_dialect if isinstance(engine_or_dialect, str) else engine_or_dialect.dialect.name
    return (pg_insert if name == "postgresql" else sqlite_insert)(table)
