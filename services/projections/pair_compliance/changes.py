"""Part of the `pair_compliance` read model: for every region prefix at each level (CN's is ''), the
sequence of the last event that changed the facts of a pair owned under it. A reader that worked
out a region's verdicts may reuse them for as long as that number stands
(`cache.ComplianceCache`). The table records the read model's
history rather than its content, so a rebuild writes it but does not compare it with the live one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from sqlalchemy import Column, Integer, String, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import PREFIX_LENGTHS
from services.shared.db import upsert
from services.shared.follower.projection import metadata

changes = Table(  # keyed by the prefix's length first: a region's parts one level down are a range
    "compliance_changes", metadata,
    Column("length", Integer, primary_key=True),
    Column("prefix", String(12), primary_key=True),
    Column("last_seq", Integer, nullable=False),
)
PREFIXES = (0, *PREFIX_LENGTHS.values())  # the lengths of a region code's prefixes, CN's first


async def record_changes(conn: AsyncConnection, changed: Iterable[tuple[str, int]]) -> None:
    """Record (region code, sequence) changes: one row per prefix, the latest sequence of each."""
    last: dict[str, int] = {}
    for region, seq in changed:
        for length in PREFIXES:
            prefix = region[:length]
            last[prefix] = max(seq, last.get(prefix, 0))
    if last:
        await conn.execute(_statement(conn.dialect.name), [{"length": len(prefix), "prefix": prefix, "last_seq": seq}
                                                           for prefix, seq in sorted(last.items())])


@functools.cache
def _statement(dialect: str):
    statement = upsert(dialect, changes)
    return statement.on_conflict_do_update(index_elements=["length", "prefix"],
                                           set_={"last_seq": statement.excluded.last_seq})


def under(prefix: str, length: int):
    """The condition on `changes` for the prefixes of `length` digits that start with `prefix`: a
    range of the key (region codes are digits, and ':' sorts right after '9')."""
    return (changes.c.length == length) & (changes.c.prefix >= prefix) & (changes.c.prefix < prefix + ":")
