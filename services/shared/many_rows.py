"""One statement run with many rows, handed to the database driver's own executemany.

`conn.execute(statement, rows)` has SQLAlchemy build each row's parameters anew: it walks the
statement's bound names for every row, looks each value up and runs it through its type's
processor, in Python. Rebuilding the figure ledger from a demo log of 40,000 events (480,000
rows written), py-spy found that work (`_init_compiled`, `construct_params`, the date processor)
taking two thirds as long as sqlite3 took to run the statements. Here the statement is
compiled once per dialect and set of keys, by SQLAlchemy, and each row becomes a tuple in the
compiled order, with only the columns whose type needs it converted (by the type's own processor:
a date on SQLite, say); the driver (sqlite3, asyncpg) then runs its executemany on them.

A statement this cannot hand over as it is — one whose columns take Python-side defaults that are
not in the rows, or with parameters expanded at execution (`IN` lists) — runs through
`conn.execute` as before, so the result is always the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable


async def execute_many(conn: AsyncConnection, statement: Executable, rows: Sequence[dict]) -> None:
    """Run `statement` once per row of `rows` (dicts with the same keys), in one executemany."""
    if not rows:
        return
    # A rebuild's connection sends the statements to the shadow tables by schema_translate_map,
    # which SQLAlchemy applies as it executes; here it is rendered into the SQL compiled.
    translate = conn.sync_connection.get_execution_options().get("schema_translate_map")
    plan = _plan(conn.dialect, statement, tuple(rows[0]), tuple(sorted(translate.items(), key=str)) if translate else ())
    if plan is None:
        await conn.execute(statement, list(rows))
        return
    sql, names, converters = plan
    if converters:
        params = [tuple(convert(row[name]) if convert else row[name] for name, convert in converters)
                  for row in rows]
    else:
        params = [tuple(row[name] for name in names) for row in rows]
    await conn.exec_driver_sql(sql, params)


DAYS_REMEMBERED = 4096  # converted dates kept per column: a batch's rows share few days


def _processor(column_type, dialect: Dialect) -> Callable | None:
    """The type's processor; for a day, one that converts each distinct value once (SQLite's
    takes a microsecond a value, and a batch's ledger rows name a handful of days between them;
    timestamps seldom repeat, and are converted each time)."""
    impl = column_type.dialect_impl(dialect)
    processor = impl.bind_processor(dialect)
    if processor is not None and _python_type(impl) is date:
        return functools.lru_cache(maxsize=DAYS_REMEMBERED)(processor)
    return processor


def _python_type(impl) -> type | None:
    try:
        return impl.python_type
    except NotImplementedError:  # a type that does not say (SQLAlchemy's NullType, say)
        return None


Plan = tuple[str, tuple[str, ...], tuple[tuple[str, Callable | None], ...]]


@functools.lru_cache(maxsize=512)
def _plan(dialect: Dialect, statement: Executable, keys: tuple[str, ...], translate: tuple) -> Plan | None:
    """(SQL, the rows' keys in the order of its placeholders, and for each the type's processor
    if it has one, or nothing when no key has one); None when the statement must go through
    `conn.execute`."""
    if not dialect.positional:
        return None
    compiled = statement.compile(dialect=dialect, column_keys=list(keys), for_executemany=True,
                                 schema_translate_map=dict(translate) or None, render_schema_translate=bool(translate))
    names = tuple(compiled.positiontup or ())
    if (compiled.insert_prefetch or compiled.update_prefetch or compiled.literal_execute_params
            or compiled.post_compile_params or not set(names) <= set(keys)):
        return None
    processors = tuple(_processor(compiled.binds[name].type, dialect) for name in names)
    converters = tuple(zip(names, processors)) if any(processors) else ()
    return compiled.string, names, converters
