"""How a rebuilt read model differs from the live one, both seen at the same position of the log
(in a snapshot of the database, so that the live one may go on meanwhile). The database compares:
no row travels to Python."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import JSON, Table, Text, cast, except_, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.shared.follower.applier import read_checkpoints
from services.shared.follower.projection import Projection, checkpoints
from services.shared.follower.shadow import Shadow


async def differences(conn: AsyncConnection, shadow: Shadow,
                      projections: Sequence[Projection]) -> dict[str, list[str]] | None:
    """What differs, per projection and table; None where the two do not stand at the same
    position in what `conn` sees (another projector on the database went on)."""
    names = [p.name for p in projections]
    live = await read_checkpoints(conn, names)
    rebuilt = dict((await conn.execute(select(shadow.table(checkpoints)))).all())
    if any(rebuilt.get(name) != live[name] for name in names):
        return None
    return {p.name: [d for t in p.tables if t.name not in _uncompared(p)
                     and (d := await _difference(conn, t, shadow.table(t)))]
            for p in projections}


def _uncompared(projection: Projection) -> set[str]:
    return {table.name for table in getattr(projection, "uncompared", ())}


async def _difference(conn: AsyncConnection, live: Table, rebuilt: Table) -> str | None:
    columns = {c["name"] for c in await conn.run_sync(lambda c: inspect(c).get_columns(live.name))}
    if columns != set(live.c.keys()):  # made by an older version of its projection
        missing, extra = sorted(set(live.c.keys()) - columns), sorted(columns - set(live.c.keys()))
        return f"{live.name}: the live table has other columns (lacks {missing}, has {extra} too)"
    mine, theirs = _comparable(live), _comparable(rebuilt)
    missing = await _count(conn, except_(mine, theirs))
    extra = await _count(conn, except_(theirs, mine))
    if missing or extra:
        return f"{live.name}: {missing} live rows differ from the rebuild, {extra} rebuilt rows are new"
    return None


def _comparable(table: Table):
    # PostgreSQL's json has no equality; the same code wrote both copies, so their text is alike.
    return select(*(cast(c, Text) if isinstance(c.type, JSON) else c for c in table.c))


async def _count(conn: AsyncConnection, rows) -> int:
    return (await conn.execute(select(func.count()).select_from(rows.subquery()))).scalar()
