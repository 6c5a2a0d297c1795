"""A file's records: one row per person and record — each child and volunteer a pair is proposed or
formed with, the child a wish is submitted for or a concern raised about, the volunteer nominated for
最美爱心妈妈 — so that her file finds them without scanning the log. Rows are never changed: where a
record stands is read from its own history, which the file page loads anyway."""

from __future__ import annotations

from sqlalchemy import Column, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.business_days import day_of_event
from contracts.activity.wishes import WishSubmitted
from contracts.activity.concerns import ConcernRaised
from contracts.pairing.matching import PairProposed
from contracts.pairing.pairs import PairFormed
from contracts.reporting.recognition import VolunteerNominated
from services.shared.db import insert_if_absent
from services.shared.eventlog import StoredEvent
from services.shared.follower.projection import metadata
from services.shared.many_rows import execute_many

records = Table(
    "file_records", metadata,
    Column("person_id", String(64), primary_key=True),  # a child's or a volunteer's id
    Column("record_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # the aggregate type the record's history is under
    Column("region", String(12), nullable=False),
    Column("opened_on", String(10), nullable=False),  # ISO day: proposed or formed, submitted, raised
)


def _pair(stored: StoredEvent) -> list[dict]:
    event = stored.event
    day = day_of_event(event, stored.envelope.occurred_at.date()).isoformat()  # proposed or formed
    return [dict(person_id=person, record_id=event.pair_id, kind="pair", region=event.region, opened_on=day)
            for person in (*event.child_ids, *event.volunteer_ids)]


def _wish(stored: StoredEvent) -> list[dict]:
    event = stored.event
    return [dict(person_id=event.child_id, record_id=event.wish_id, kind="wish", region=event.region,
                 opened_on=stored.envelope.occurred_at.date().isoformat())]


def _concern(stored: StoredEvent) -> list[dict]:
    event = stored.event
    return [dict(person_id=event.child_id, record_id=event.concern_id, kind="concern", region=event.region,
                 opened_on=event.raised_on.isoformat())]


def _nomination(stored: StoredEvent) -> list[dict]:
    event = stored.event
    return [dict(person_id=event.volunteer_id, record_id=event.nomination_id, kind="nomination", region=event.region,
                 opened_on=event.nominated_on.isoformat())]


# A pair formed without a proposal (FormPair) has no PairProposed: both name its people.
ROWS = {PairProposed: _pair, PairFormed: _pair, WishSubmitted: _wish, ConcernRaised: _concern,
        VolunteerNominated: _nomination}


class FileRecords:
    name = "file_records"
    tables = (records,)
    handles = frozenset(ROWS)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        # Inserted if absent: a pair both proposed and formed, or a batch delivered again, adds nothing twice.
        rows = {(row["person_id"], row["record_id"]): row
                for stored in events for row in ROWS[type(stored.event)](stored)}
        await execute_many(conn, insert_if_absent(conn.dialect.name, records), list(rows.values()))


async def records_of(conn: AsyncConnection, person_id: str) -> list[dict]:
    """The person's pairs, wishes and concerns, oldest first: (record_id, kind, region, opened_on)."""
    query = (select(records.c.record_id, records.c.kind, records.c.region, records.c.opened_on)
             .where(records.c.person_id == person_id).order_by(records.c.opened_on, records.c.record_id))
    return [dict(row._mapping) for row in await conn.execute(query)]
