"""Read model `recognitions`: every nomination for 最美爱心妈妈 — whom, for which year, by which office,
her record as it was attached, and where it stands (nominated, awarded by a city or province, or
declined and why) — so that an office lists its subtree's nominations of a year, a volunteer's file
shows her awards, and the figures count those awarded per year and level. No name is kept: the
volunteer's is read from the volunteer directory, for the roles that may see it."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from contracts.reporting.recognition import NominationDeclined, VolunteerAwarded, VolunteerNominated
from services.projections.batch_rows import Rows
from services.shared.eventlog import StoredEvent
from services.shared.follower.projection import metadata

nominations = Table(
    "recognition_nominations", metadata,
    Column("nomination_id", String(64), primary_key=True),
    Column("volunteer_id", String(64), nullable=False, index=True),
    Column("region", String(12), nullable=False, index=True),  # the volunteer's, when nominated
    Column("year", Integer, nullable=False),
    Column("nominated_by", String(12), nullable=False),
    Column("nominator_level", String(16), nullable=False),
    Column("nominated_on", Date, nullable=False),
    Column("record", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # nominated, awarded, declined
    Column("decided_by", String(12)),
    Column("level", String(16)),  # the deciding office's: a city's or a province's award
    Column("decided_on", Date),
    Column("reason", String(200)),  # why it was declined
)
CHANGING = ("status", "decided_by", "level", "decided_on", "reason")


def _nominated(rows: Rows, event: VolunteerNominated) -> None:
    rows.add(dict(nomination_id=event.nomination_id, volunteer_id=event.volunteer_id, region=event.region,
                  year=event.year, nominated_by=event.nominated_by, nominator_level=event.nominator_level.value,
                  nominated_on=event.nominated_on, record=event.record.model_dump(mode="json"), status="nominated",
                  decided_by=None, level=None, decided_on=None, reason=None))


def _awarded(rows: Rows, event: VolunteerAwarded) -> None:
    if rows.get(event.nomination_id) is not None:
        rows.set(event.nomination_id, status="awarded", decided_by=event.awarded_by, level=event.level.value,
                 decided_on=event.awarded_on, reason=None)


def _declined(rows: Rows, event: NominationDeclined) -> None:
    if rows.get(event.nomination_id) is not None:
        rows.set(event.nomination_id, status="declined", decided_by=event.declined_by, level=event.level.value,
                 decided_on=event.declined_on, reason=event.reason)


APPLY = {VolunteerNominated: _nominated, VolunteerAwarded: _awarded, NominationDeclined: _declined}


class Recognitions:
    name = "recognitions"
    tables = (nominations,)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        rows = Rows(nominations, CHANGING)
        await rows.read(conn, "nomination_id", (stored.event.nomination_id for stored in events))
        for stored in events:
            APPLY[type(stored.event)](rows, stored.event)
        await rows.write(conn)


def _row(r) -> dict:
    return {"nomination_id": r.nomination_id, "volunteer_id": r.volunteer_id, "region": r.region, "year": r.year,
            "nominated_by": r.nominated_by, "nominator_level": r.nominator_level,
            "nominated_on": r.nominated_on.isoformat(), "record": r.record, "status": r.status,
            "decided_by": r.decided_by, "level": r.level,
            "decided_on": r.decided_on.isoformat() if r.decided_on else None, "reason": r.reason}


def _within(region: Region) -> list:
    return [nominations.c.region.startswith(region.prefix, autoescape=True)] if region.prefix else []


async def nominations_in(conn: AsyncConnection, region: Region, year: int | None = None,
                         status: str | None = None, limit: int = 1000) -> list[dict]:
    """The nominations of the volunteers of the region's subtree (of a year, in a status), those
    waiting for review first, then by day nominated."""
    query = (select(nominations).where(*_within(region))
             .order_by(nominations.c.year.desc(), (nominations.c.status != "nominated"), nominations.c.nominated_on,
                       nominations.c.nomination_id).limit(limit))
    if year is not None:
        query = query.where(nominations.c.year == year)
    if status is not None:
        query = query.where(nominations.c.status == status)
    return [_row(r) for r in await conn.execute(query)]


async def nomination(conn: AsyncConnection, nomination_id: str) -> dict | None:
    found = (await conn.execute(select(nominations).where(nominations.c.nomination_id == nomination_id))).first()
    return _row(found) if found else None


async def recognitions_of(conn: AsyncConnection, volunteer_id: str) -> list[dict]:
    """A volunteer's nominations, latest year first: her awards are those with status awarded."""
    query = (select(nominations).where(nominations.c.volunteer_id == volunteer_id)
             .order_by(nominations.c.year.desc()))
    return [_row(r) for r in await conn.execute(query)]


async def awarded_counts(conn: AsyncConnection, region: Region, year: int | None = None) -> list[dict]:
    """Per year and awarding level (city, province): the volunteers of the subtree nominated,
    awarded and declined; each year's nominations still waiting count with no level."""
    query = (select(nominations.c.year, nominations.c.level, nominations.c.status, func.count())
             .where(*_within(region)).group_by(nominations.c.year, nominations.c.level, nominations.c.status))
    if year is not None:
        query = query.where(nominations.c.year == year)
    counts: dict[tuple[int, str | None], dict] = {}
    for the_year, level, status, count in await conn.execute(query):
        row = counts.setdefault((the_year, level), {"year": the_year, "level": level, "nominated": 0,
                                                    "awarded": 0, "declined": 0})
        row["nominated"] += count
        if status in ("awarded", "declined"):
            row[status] += count
    return sorted(counts.values(), key=lambda r: (-r["year"], r["level"] or ""))
