"""Read model `bulletin`: what the 通报 needs beyond the figures and the submissions — each office's
card thresholds as it set them (every setting, by the stream sequence it was made at).

Rows are written by key, so a batch applied twice leaves them as once; the thresholds applying to a
month are chosen on read (`services.reporting.bulletin.thresholds.applying`)."""

from __future__ import annotations

import functools

from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.reporting.bulletin import CardThresholdsSet
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent
from services.shared.follower.projection import metadata

# The thresholds, as the event names them (their rules are reporting's, applied on read).
NAMES = tuple(name for name in CardThresholdsSet.model_fields
              if name not in ("card_thresholds_id", "region", "from_month"))

thresholds = Table(
    "bulletin_thresholds", metadata,
    Column("office", String(12), primary_key=True),  # its significant code, 'CN' for national
    Column("seq", Integer, primary_key=True),  # the order settings were made in
    Column("from_month", String(7), nullable=False),
    *(Column(name, Integer, nullable=False) for name in NAMES),
)


class Bulletin:
    name = "bulletin"
    tables = (thresholds,)
    handles = frozenset({CardThresholdsSet})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        await conn.execute(_setting(conn.dialect.name), [
            {"office": stored.event.card_thresholds_id, "seq": stored.seq, "from_month": stored.event.from_month,
             **{name: getattr(stored.event, name) for name in NAMES}} for stored in events])


@functools.cache
def _setting(dialect: str):
    statement = upsert(dialect, thresholds)
    return statement.on_conflict_do_nothing(index_elements=["office", "seq"])


async def settings_of(conn: AsyncConnection, offices: list[str]) -> dict[str, list[tuple[str, dict[str, int]]]]:
    """The settings of each of `offices` (by significant code) in the order they were made:
    (from month, {threshold: value})."""
    query = select(thresholds).where(thresholds.c.office.in_(offices)).order_by(thresholds.c.office, thresholds.c.seq)
    found: dict[str, list[tuple[str, dict[str, int]]]] = {}
    for row in (await conn.execute(query)).mappings():
        found.setdefault(row["office"], []).append((row["from_month"], {name: row[name] for name in NAMES}))
    return found
