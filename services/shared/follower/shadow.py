"""Shadow copies of read-model tables, which a rebuild writes while the live ones keep serving.

Projections run unchanged on the shadow: `engine` sends their statements there by
`schema_translate_map`. On PostgreSQL the shadow is the schema `aixin_rebuild` of the same database;
on SQLite, tables of the same file named `aixin_rebuild__<name>` (the schema the map renders is
turned into that prefix as each statement is sent), because SQLite cannot move a table between
files. The shadow has checkpoints (and dead letters, and parked events) of its own: a rebuild stopped
midway continues from them.

The swap is one transaction, with the live checkpoints locked (another projector on the database
waits): each live table is dropped and its shadow takes its place — PostgreSQL moves it into the
live schema, SQLite renames it — so no row is copied and the swap takes as long for a million rows
as for ten. Each projection's live checkpoint becomes its shadow checkpoint, and its parked events
the shadow's (a few rows: these are copied).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import MetaData, Table, delete, event, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.shared.db import make_engine
from services.shared.follower.applier import locked_checkpoints, save_checkpoint
from services.shared.follower.projection import Projection, checkpoints, dead_letters, parked

log = logging.getLogger("aixin.projections")
SHADOW = "aixin_rebuild"
PREFIX = f"{SHADOW}__"
OWN = (checkpoints, dead_letters, parked)
LOCK_TIMEOUT, LOCK_NOT_AVAILABLE = "1s", "55P03"


class Shadow:
    """`engine` writes the shadow; `both` (the live engine) reads and swaps both copies, the
    shadow's as `table(t)`. `batch`: the most events a rebuild applies in one transaction;
    `one_writer`: whether the shadow's transactions and the live ones exclude each other."""

    batch, one_writer = 1000, False

    def __init__(self, live: AsyncEngine, writer: AsyncEngine) -> None:
        self.both, self._writer = live, writer
        self.engine = writer.execution_options(schema_translate_map={None: SHADOW})
        self._tables = MetaData()
        self._copies: dict[str, Table] = {}

    @staticmethod
    def of(live: AsyncEngine) -> Shadow:
        return SqliteShadow(live) if live.dialect.name == "sqlite" else PostgresShadow(live)

    def table(self, live: Table) -> Table:
        """The shadow copy of `live`, for statements that see both copies."""
        if live.name not in self._copies:
            self._copies[live.name] = live.to_metadata(self._tables, **self._address(live.name))
        return self._copies[live.name]

    async def pending(self, names: Sequence[str] | None = None) -> dict[str, int]:
        """The shadow checkpoints of the rebuilds under way (of those of `names`, if given)."""
        async with self.both.connect() as conn:
            if not await self._has(conn, checkpoints):
                return {}
            rows = dict((await conn.execute(select(self.table(checkpoints)))).all())
        return {name: seq for name, seq in rows.items() if names is None or name in names}

    async def prepare(self, projections: Sequence[Projection]) -> dict[str, int]:
        """The shadow checkpoints; a projection without one gets empty shadow tables and 0."""
        await self._create_schema()
        async with self.both.begin() as conn:
            for table in OWN:
                if not await self._has(conn, table):
                    await self._create(conn, table)
            present = dict((await conn.execute(select(self.table(checkpoints)))).all())
            for projection in projections:
                if projection.name in present:
                    continue
                for table in projection.tables:  # anything left of it is from an older rebuild
                    if await self._has(conn, table):
                        await conn.execute(text(f"DROP TABLE {self._name(conn, table)}"))
                    await self._create(conn, table)
                present[projection.name] = 0
                await conn.execute(self.table(checkpoints).insert().values(projection=projection.name, last_seq=0))
        return {p.name: present[p.name] for p in projections}

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncConnection]:
        """A read-only connection that sees both copies as they are now, however they change later."""
        async with self.both.connect() as conn:
            await self._begin_snapshot(conn)
            try:
                yield conn
            finally:
                await conn.rollback()

    async def swap(self, projections: Sequence[Projection]) -> bool:
        """Make the shadow tables of `projections` the live ones, in one transaction; False (and
        nothing changed) where a live read model has moved on past its shadow (another projector
        on the database), so that the shadow must catch up first."""
        names = [p.name for p in projections]
        marks = self.table(checkpoints)
        async with self.both.begin() as conn:
            await self._begin_swap(conn)
            live = await locked_checkpoints(conn, names)
            rebuilt = dict((await conn.execute(select(marks))).all())
            if any(rebuilt.get(name, -1) < live[name] for name in names):
                return False
            for table in (t for p in projections for t in p.tables):
                await conn.execute(text(f"DROP TABLE IF EXISTS {conn.dialect.identifier_preparer.format_table(table)}"))
                await self._move(conn, table)
            for name in names:
                await save_checkpoint(conn, name, rebuilt[name])
            await conn.execute(delete(marks).where(marks.c.projection.in_(names)))
            await self._swap_parked(conn, names)
        return True

    async def _swap_parked(self, conn: AsyncConnection, names: list[str]) -> None:
        shadow = self.table(parked)
        await conn.execute(delete(parked).where(parked.c.projection.in_(names)))
        await conn.execute(insert(parked).from_select(list(parked.c.keys()),
                                                      select(shadow).where(shadow.c.projection.in_(names))))
        await conn.execute(delete(shadow).where(shadow.c.projection.in_(names)))

    async def close(self, drop: bool = False, known: Sequence[str] | None = None) -> None:
        """Let the shadow go; with `drop`, drop it altogether when no rebuild (of the read models
        `known`, if given: not of one retired since) is under way in it."""
        if drop and not await self.pending(known):
            await self._drop()

    async def _has(self, conn: AsyncConnection, table: Table) -> bool:
        shadow = self.table(table)
        return await conn.run_sync(lambda c: inspect(c).has_table(shadow.name, schema=shadow.schema))

    async def _create(self, conn: AsyncConnection, table: Table) -> None:
        await conn.run_sync(lambda c: self.table(table).create(c))

    def _name(self, conn: AsyncConnection, table: Table) -> str:
        return conn.dialect.identifier_preparer.format_table(self.table(table))

    def _address(self, name: str) -> dict:
        raise NotImplementedError

    async def _create_schema(self) -> None:
        pass

    async def _begin_swap(self, conn: AsyncConnection) -> None:
        pass

    async def _begin_snapshot(self, conn: AsyncConnection) -> None:
        raise NotImplementedError

    async def _move(self, conn: AsyncConnection, table: Table) -> None:
        raise NotImplementedError

    async def _drop(self) -> None:
        raise NotImplementedError


class PostgresShadow(Shadow):
    def __init__(self, live: AsyncEngine) -> None:
        super().__init__(live, live)

    def _address(self, name: str) -> dict:
        return {"schema": SHADOW}

    async def _create_schema(self) -> None:
        async with self.both.begin() as conn:
            await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SHADOW}"))

    async def _begin_swap(self, conn: AsyncConnection) -> None:
        # Dropping a table waits for every reader of it, with the live follower paused: give up
        # after a while instead, and let the rebuild try again after a turn of the live follower.
        await conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))

    async def swap(self, projections: Sequence[Projection]) -> bool:
        try:
            return await super().swap(projections)
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            log.warning("a reader held a read model's table through the swap; trying again")
            return False

    async def _begin_snapshot(self, conn: AsyncConnection) -> None:
        await conn.execution_options(isolation_level="REPEATABLE READ")
        await conn.execute(select(checkpoints.c.last_seq).limit(1))  # the snapshot is taken here

    async def _move(self, conn: AsyncConnection, table: Table) -> None:
        live = conn.dialect.identifier_preparer.quote((await conn.execute(text("SELECT current_schema()"))).scalar())
        await conn.execute(text(f"ALTER TABLE {self._name(conn, table)} SET SCHEMA {live}"))

    async def _drop(self) -> None:
        async with self.both.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SHADOW} CASCADE"))


class SqliteShadow(Shadow):
    # One writer at a time in SQLite: the live follower waits for a short shadow batch at most
    # (see `Rebuild._apply`), and takes its turn (SQLite's busy wait lets a writer starve it).
    batch, one_writer = 1000, True

    def __init__(self, live: AsyncEngine) -> None:
        writer = make_engine(live.url.render_as_string(hide_password=False))
        event.listen(writer.sync_engine, "before_cursor_execute", _prefixed, retval=True)
        super().__init__(live, writer)

    def _address(self, name: str) -> dict:
        return {"name": PREFIX + name}

    async def _create(self, conn: AsyncConnection, table: Table) -> None:
        # Index names are the database's, not a table's: a shadow's indexes take the names its
        # live table's do not have (either name is in turn the live one, swap after swap).
        taken = set((await conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))).scalars())
        copy = table.to_metadata(MetaData(), name=PREFIX + table.name)
        for index in copy.indexes:
            index.name = PREFIX + index.name if index.name in taken else index.name
        await conn.run_sync(lambda c: copy.create(c))

    async def _begin_snapshot(self, conn: AsyncConnection) -> None:
        # In WAL mode a read transaction sees the file as it was at its first read, to its end.
        await conn.exec_driver_sql("BEGIN")
        await conn.execute(select(checkpoints.c.last_seq).limit(1))

    async def _move(self, conn: AsyncConnection, table: Table) -> None:
        live = conn.dialect.identifier_preparer.format_table(table)
        await conn.execute(text(f"ALTER TABLE {self._name(conn, table)} RENAME TO {live}"))

    async def close(self, drop: bool = False, known: Sequence[str] | None = None) -> None:
        await super().close(drop, known)
        await self._writer.dispose()

    async def _drop(self) -> None:
        async with self.both.begin() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
            for name in (n for n in names if n.startswith(PREFIX)):
                await conn.execute(text(f'DROP TABLE "{name}"'))


_SCHEMA_PREFIX = re.compile(rf'\b{SHADOW}\.("?)')


def _prefixed(conn, cursor, statement: str, parameters, context, executemany):
    """`aixin_rebuild.<table>`, as the schema map renders it, becomes `aixin_rebuild__<table>`."""
    return _SCHEMA_PREFIX.sub(rf"\1{PREFIX}", statement), parameters
