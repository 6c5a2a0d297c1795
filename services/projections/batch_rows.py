"""The rows of a table that one batch of events reads and changes, held in memory for the batch.

A projection that sent one or more SQL statements per event (and often built a new statement per
event, which SQLAlchemy compiles anew) spent most of a rebuild in the database driver. With `Rows`
it reads, before its events, every row they may touch — one SELECT per 500 keys — applies the
events to those rows in their order, so that an event sees what earlier events of the same batch
did, and writes back at the end only what differs from what it read: one INSERT, one UPDATE and
one DELETE at most, each a statement built once per table and run with many parameter sets.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Table, and_, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.shared.db import insert_if_absent
from services.shared.many_rows import execute_many

CHUNK = 500  # keys per SELECT … IN (…): well under every database's limit on parameters


class Rows:
    """Rows of `table` by primary key (a value, or a tuple for a key of several columns). Only the
    key and `columns` are read and written back; a row added is inserted whole, and only if absent,
    as the statements it replaces did."""

    def __init__(self, table: Table, columns: tuple[str, ...]) -> None:
        self.table, self.columns = table, columns
        self.keys = tuple(column.name for column in table.primary_key.columns)
        self._rows: dict = {}  # key -> the row as it stands now, None once deleted
        self._read: dict = {}  # key -> the row as it was read (only rows found in the database)
        # The key's first column -> keys present, for `having`: kept only for keys of several
        # columns (of one, the key is its first column; a set per row cost a rebuild 3%).
        self._by: dict | None = defaultdict(set) if len(self.keys) > 1 else None
        self._replaced: set = set()  # keys deleted, then added again: written as delete + insert

    def _key(self, row: dict):
        return row[self.keys[0]] if len(self.keys) == 1 else tuple(row[k] for k in self.keys)

    async def read(self, conn: AsyncConnection, column: str, values: Iterable) -> None:
        """Read the rows whose `column` is one of `values` (call before applying any event)."""
        wanted, names = sorted(set(values) - {None}), (*self.keys, *self.columns)
        query = _select(self.table, names, column)
        for start in range(0, len(wanted), CHUNK):
            for found in await conn.execute(query, {"wanted": wanted[start:start + CHUNK]}):
                row = dict(zip(names, found))
                key = self._key(row)
                if key not in self._read:
                    self._read[key] = dict(row)
                    self._remember(key, row)

    def _remember(self, key, row: dict | None) -> None:
        self._rows[key] = row
        if self._by is not None:
            (self._by[key[0]].add if row is not None else self._by[key[0]].discard)(key)

    def get(self, key) -> dict | None:
        """The row as the events so far left it, or None. Change it only through `set`, with new
        values (a new list, never one changed in place: what was read is compared with it)."""
        return self._rows.get(key)

    def having(self, first) -> list[dict]:
        """The rows present whose key's first column is `first` (a child's rows, say)."""
        if self._by is None:
            return [] if self._rows.get(first) is None else [self._rows[first]]
        return [self._rows[key] for key in sorted(self._by.get(first, ()))]

    def where(self, **values) -> list[dict]:
        """The rows present with these values (a scan of the batch's rows: for rare events)."""
        return [row for row in self._rows.values()
                if row is not None and all(row[name] == value for name, value in values.items())]

    def add(self, row: dict) -> bool:
        """Insert `row` if no row has its key; False (and nothing changed) if one has. The dict
        is kept as the row (not copied): pass a new one."""
        key = self._key(row)
        if key in self._rows:
            if self._rows[key] is not None:
                return False
            self._replaced.add(key)  # deleted earlier in the batch
        self._remember(key, row)
        return True

    def set(self, key, **values) -> bool:
        """Change the row's `values`, if there is a row (an UPDATE that finds none changes nothing)."""
        if (row := self._rows.get(key)) is None:
            return False
        row.update(values)
        return True

    def put(self, row: dict) -> None:
        """Insert `row`, or change the one standing to its values (an upsert)."""
        if not self.set(self._key(row), **{n: row[n] for n in self.columns}):
            self.add(row)

    def delete(self, key) -> None:
        if key in self._rows:
            self._remember(key, None)

    async def write(self, conn: AsyncConnection) -> None:
        """Write back what the batch changed: deletions first, so that a row deleted and added
        again is inserted anew."""
        gone, new, changed = [], [], []
        for key, row in self._rows.items():
            before = self._read.get(key)
            if row is None:
                if before is not None:
                    gone.append(self._params(before, ()))
            elif before is None or key in self._replaced:
                if before is not None:
                    gone.append(self._params(before, ()))
                new.append(row)
            elif any(row[n] != before[n] for n in self.columns):
                changed.append(self._params(row, self.columns))
        dialect = conn.dialect.name
        if gone:
            await execute_many(conn, _delete(self.table, self.keys), gone)
        if new:
            await execute_many(conn, insert_if_absent(dialect, self.table), new)
        if changed:
            await execute_many(conn, _update(self.table, self.keys, self.columns), changed)

    def _params(self, row: dict, columns: tuple[str, ...]) -> dict:
        return {**{f"key_{k}": row[k] for k in self.keys}, **{n: row[n] for n in columns}}


# Built once per table: a SELECT built per batch cost a live batch of one event more than running it.
# The list of values is expanded into the IN as the statement runs.
@functools.cache
def _select(table: Table, names: tuple[str, ...], column: str):
    return select(*(table.c[n] for n in names)).where(table.c[column].in_(bindparam("wanted", expanding=True)))


# The bound names of the keys differ from the columns': SQLAlchemy reserves a column's own name for
# its SET clause.
@functools.cache
def _update(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]):
    return (update(table).where(and_(*(table.c[k] == bindparam(f"key_{k}") for k in keys)))
            .values({n: bindparam(n) for n in columns}))


@functools.cache
def _delete(table: Table, keys: tuple[str, ...]):
    return delete(table).where(and_(*(table.c[k] == bindparam(f"key_{k}") for k in keys)))
