"""SQLAlchemy's aiosqlite adapter with one trip to the connection's thread per statement.

aiosqlite runs every call of a sqlite3 connection in a thread of its own, and SQLAlchemy's adapter
makes four calls a statement (make a cursor, execute, fetch all, close), each a trip there and back
through a queue and the event loop. A small read took 5 µs in sqlite3 and 500 µs through the
adapter (170 µs with one trip); the `stats` route, a handful of statements, spent most of its time
on the trips. Here each statement (or executemany) is one call that makes the cursor, executes,
fetches and closes it in the thread, and brings back what the cursor would have answered
(description, rows, rowcount, lastrowid).

Only the plain cursor changes: a server-side cursor (`AsyncConnection.stream`) stays aiosqlite's.
Errors are sqlite3's, raised from the same call, and SQLAlchemy maps them as before.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor,
                                                  AsyncAdapt_aiosqlite_dbapi)
from sqlalchemy.util import EMPTY_DICT


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> tuple:
    """In the connection's thread: the statement, and all the cursor can tell of it."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else ()
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class _OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor that holds no aiosqlite cursor: only the answer of its last statement."""

    __slots__ = ("_description", "_rowcount", "_lastrowid", "_arraysize")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description, self._rowcount, self._lastrowid, self._arraysize = None, -1, None, 1

    @property
    def description(self):
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self):
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection
        async with self._adapt_connection._execute_mutex:
            answer = await connection._execute(_run, connection._conn, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = answer
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._call(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._call(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:
        return None  # nothing is open: the rows are already here

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        raise NotImplementedError("sqlite3 has no further result sets")

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None  # sqlite3's own does nothing either


class _OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneHopCursor


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module to give `create_async_engine(..., module=...)` for `sqlite+aiosqlite` URLs."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> _OneHopConnection:
        connection = super().connect(*arg, **kw)
        connection.__class__ = _OneHopConnection  # the same slots: only the cursor class differs
        return connection
