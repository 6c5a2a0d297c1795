"""Read model: the places to be completed — children registered at their county (their list named
no village) whose village is not yet known, a work list of that county's office.

A child joins the list when registered at a district/county code, and leaves it when her village
is completed, when she moves to a village elsewhere, or when she exits the programme. Names stay
sealed in the rows and are opened when read, as in children_directory.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.intake.child_file import ChildExited, ChildPlaceCompleted, ChildTransferredIn
from contracts.envelope import FederationLevel
from contracts.intake.registration import ChildRegistered
from contracts.regions import Region, parse_region
from services.projections.batch_rows import Rows
from services.shared.eventlog import StoredEvent
from services.shared.follower.projection import metadata
from services.shared.privacy import KeyStore

to_complete = Table(
    "places_to_complete", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),  # the county, 12-digit padded
    Column("category", String(32), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("personal", JSON, nullable=False),
    Column("registered_at", String(40), nullable=False),  # ISO 8601, when the registration occurred
)


# Every handler gets the batch's rows (read before its events, changed in memory in their order,
# written back at its end: see batch_rows.py) and the event.
def _registered(rows: Rows, stored: StoredEvent) -> None:
    event = stored.event
    if parse_region(event.region).level is not FederationLevel.district:
        return  # registered in her village: nothing to complete
    rows.add(dict(
        child_id=event.child_id, region=event.region, category=event.category.value, sex=event.sex.value,
        birth_date=event.birth_date, personal=event.personal.model_dump(),
        registered_at=stored.envelope.occurred_at.isoformat()))


def _done(rows: Rows, stored: StoredEvent) -> None:
    """Her village is known (completed, or she moved to one), or she left the programme."""
    rows.delete(stored.envelope.aggregate_id)


APPLY = {
    ChildRegistered: _registered,
    ChildPlaceCompleted: _done,
    ChildTransferredIn: _done,
    ChildExited: _done,
}


def _child_id(stored: StoredEvent) -> str:
    return stored.event.child_id if isinstance(stored.event, ChildRegistered) else stored.envelope.aggregate_id


class PlacesToComplete:
    name = "places_to_complete"
    tables = (to_complete,)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        rows = Rows(to_complete, ())  # rows are added and deleted whole, never changed
        await rows.read(conn, "child_id", (_child_id(stored) for stored in events))
        for stored in events:
            APPLY[type(stored.event)](rows, stored)
        await rows.write(conn)


def _within(query, region: Region):
    return query.where(to_complete.c.region.startswith(region.prefix, autoescape=True)) if region.prefix else query


async def places_to_complete(conn: AsyncConnection, keys: KeyStore, region: Region, limit: int = 100,
                             offset: int = 0) -> dict:
    """The children of the region's subtree still registered at their county, oldest first, and
    how many there are in all."""
    total = (await conn.execute(_within(select(func.count()).select_from(to_complete), region))).scalar_one()
    query = _within(select(to_complete), region).order_by(
        to_complete.c.region, to_complete.c.registered_at, to_complete.c.child_id).limit(limit).offset(offset)
    rows = [{
        "child_id": row.child_id, "name": await keys.name_of(row.personal), "county": row.region,
        "category": row.category, "sex": row.sex, "birth_date": row.birth_date.isoformat(),
        "registered_at": row.registered_at,
    } for row in (await conn.execute(query)).all()]
    return {"total": total, "children": rows}
