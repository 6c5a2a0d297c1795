"""`execute_many` leaves the database as `conn.execute(statement, rows)` does, on SQLite and on
PostgreSQL: upserts that sum, updates by bound keys, dates, NULLs, a statement whose columns take
Python-side defaults (handed to `conn.execute`), and a connection whose schema map sends the
statements elsewhere (a rebuild's shadow)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, and_, bindparam, select, update

from services.shared.db import upsert
from services.shared.follower.shadow import Shadow
from services.shared.many_rows import _plan, execute_many
from tests.log.test_projections import read_db  # noqa: F401  (the fixture: SQLite and PostgreSQL)

metadata = MetaData()
tally = Table("many_rows_tally", metadata,
              Column("region", String(12), primary_key=True), Column("day", Date, primary_key=True),
              Column("figure", String(32), primary_key=True), Column("delta", Integer, nullable=False),
              Column("note", String(32)), Column("seen", Integer, nullable=False, default=0))

ROWS = [{"region": "440105001101", "day": date(2026, 3, d % 3 + 1), "figure": f"f{d % 2}", "delta": d,
         "note": None if d % 2 else f"n{d}", "seen": 1} for d in range(40)]


def _summing(dialect: str):
    statement = upsert(dialect, tally)
    return statement.on_conflict_do_update(
        index_elements=["region", "day", "figure"],
        set_={"delta": tally.c.delta + statement.excluded.delta, "note": statement.excluded.note})


_SET_NOTE = (update(tally).where(and_(tally.c.region == bindparam("key_region"), tally.c.day == bindparam("key_day"),
                                      tally.c.figure == bindparam("key_figure")))
             .values(note=bindparam("note")))


async def _table(engine, table: Table = tally) -> list[tuple]:
    async with engine.connect() as conn:
        return sorted(tuple(r) for r in (await conn.execute(select(table))).all())


async def _written(engine, write) -> list[tuple]:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    async with engine.begin() as conn:
        await write(conn, _summing(conn.dialect.name), ROWS)
        await write(conn, _summing(conn.dialect.name), ROWS[:10])  # sums into rows already there
        keyed = [{"key_region": r["region"], "key_day": r["day"], "key_figure": r["figure"], "note": "set"}
                 for r in ROWS[:4]]
        await write(conn, _SET_NOTE, keyed)
        await write(conn, upsert(conn.dialect.name, tally).on_conflict_do_nothing(),
                    [{"region": "110101001001", "day": date(2026, 1, 1), "figure": "x", "delta": 5}])  # `seen` by default
    return await _table(engine)


async def test_the_same_rows_as_sqlalchemys_executemany(read_db) -> None:  # noqa: F811
    async def through_sqlalchemy(conn, statement, rows):
        await conn.execute(statement, rows)

    expected = await _written(read_db, through_sqlalchemy)
    assert await _written(read_db, execute_many) == expected
    assert len(expected) == 7 and (("110101001001", date(2026, 1, 1), "x", 5, None, 0)) in expected


async def test_a_statement_with_defaults_not_in_the_rows_goes_through_sqlalchemy(read_db) -> None:  # noqa: F811
    dialect = read_db.dialect
    statement = upsert(dialect.name, tally).on_conflict_do_nothing()
    assert _plan(dialect, statement, ("region", "day", "figure", "delta"), ()) is None
    assert _plan(dialect, statement, ("region", "day", "figure", "delta", "note", "seen"), ()) is not None


async def test_a_rebuilds_connection_writes_the_shadow_tables_only(read_db) -> None:  # noqa: F811
    shadow = Shadow.of(read_db)
    try:
        await shadow._create_schema()
        async with read_db.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await shadow._create(conn, tally)
        async with shadow.engine.begin() as conn:
            await execute_many(conn, _summing(conn.dialect.name), ROWS)
        assert await _table(read_db) == []
        assert len(await _table(read_db, shadow.table(tally))) == 6
    finally:
        await shadow.close(drop=True)
        async with read_db.begin() as conn:
            await conn.run_sync(metadata.drop_all)
