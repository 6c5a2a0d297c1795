"""The SQLite engine's cursor: one trip to the connection's thread a statement, answering as
aiosqlite's did — rows, rowcount, RETURNING, lastrowid, executemany, errors as SQLAlchemy's, and a
server-side cursor (`stream`) still streaming."""

from __future__ import annotations

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from services.shared.db import make_engine

metadata = MetaData()
things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("name", String, unique=True))


@pytest.fixture
async def engine(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'one-hop.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch) -> list:
    """Every call queued to a connection's thread."""
    made: list = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        made.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return made


async def test_a_statement_is_one_trip_to_the_connections_thread(engine, trips) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("select 1"))  # the connection's first use may begin it
        trips.clear()
        assert (await conn.execute(select(things))).all() == []
        assert len(trips) == 1


async def test_rows_counts_returning_and_lastrowid_are_answered_as_before(engine) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(insert(things), [{"name": "a"}, {"name": "b"}, {"name": "c"}])
        assert inserted.rowcount == 3
        one = await conn.execute(insert(things).values(name="d"))
        assert one.inserted_primary_key == (4,) and one.lastrowid == 4
        returned = await conn.execute(insert(things).values(name="e").returning(things.c.id, things.c.name))
        assert returned.all() == [(5, "e")]
        changed = await conn.execute(update(things).where(things.c.id > 3).values(name=things.c.name + "!"))
        assert changed.rowcount == 2
        assert (await conn.execute(select(things.c.name).order_by(things.c.id))).scalars().all() == \
            ["a", "b", "c", "d!", "e!"]
        assert (await conn.execute(select(things.c.name).where(things.c.id == 99))).first() is None


async def test_errors_are_sqlalchemys_and_the_connection_goes_on(engine) -> None:
    async with engine.connect() as conn:
        await conn.execute(insert(things).values(name="a"))
        with pytest.raises(IntegrityError, match="UNIQUE"):
            await conn.execute(insert(things).values(name="a"))
        with pytest.raises(OperationalError, match="no such table"):
            await conn.execute(text("select * from missing_table"))
        assert (await conn.execute(select(things.c.name))).scalars().all() == ["a"]


async def test_a_server_side_cursor_still_streams_in_partitions(engine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(things), [{"name": str(i)} for i in range(25)])
    async with engine.connect() as conn:
        result = await conn.stream(select(things.c.id).order_by(things.c.id))
        sizes = [len(part) async for part in result.partitions(10)]
    assert sizes == [10, 10, 5]
