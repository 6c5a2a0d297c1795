"""Read model: the children of a region's subtree, as an operator of that region may see them.

Names stay sealed in the rows; they are opened with the key store when read, so erasing a child's
key erases the name here too, without touching the table.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.child_file import ChildExited, ChildPlaceCompleted, ChildRiskAssessed, ChildTransferredIn
from contracts.intake import ChildRegistered
from contracts.pairing import ChildJoinedPair, ChildLeftPair
from contracts.regions import Region
from services.shared.follower.projection import metadata
from services.shared.db import RowsToWrite, insert_if_absent
from services.shared.eventlog import StoredEvent
from services.shared.privacy import KeyStore

children = Table(
    "children_directory", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("category", String(32), nullable=False),
    Column("subtype", String(32)),
    Column("sex", String(8), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("personal", JSON, nullable=False),
    Column("active_pairs", Integer, nullable=False),
    Column("tier", String(8)),
    Column("exited", String(32)),
)


async def _registered(conn: AsyncConnection, registered: RowsToWrite, event: ChildRegistered) -> None:
    registered.add(insert_if_absent(conn.dialect.name, children), dict(
        child_id=event.child_id, region=event.region, category=event.category.value,
        subtype=event.subtype.value if event.subtype else None, sex=event.sex.value,
        birth_date=event.birth_date, personal=event.personal.model_dump(), active_pairs=0,
    ))


def _changes(values):
    """An update of the child's row, to the values `values(event)` gives."""
    async def change(conn: AsyncConnection, registered: RowsToWrite, event) -> None:
        await registered.flush(conn)  # the child may be one registered earlier in this batch
        await conn.execute(children.update().where(children.c.child_id == event.child_id)
                           .values(**values(event)))
    return change


def _paired(step: int):
    return _changes(lambda e: {"active_pairs": children.c.active_pairs + step})


APPLY = {
    ChildRegistered: _registered,
    ChildJoinedPair: _paired(1),
    ChildLeftPair: _paired(-1),
    ChildTransferredIn: _changes(lambda e: {"region": e.region}),
    ChildPlaceCompleted: _changes(lambda e: {"region": e.region}),
    ChildRiskAssessed: _changes(lambda e: {"tier": e.tier.value}),
    ChildExited: _changes(lambda e: {"exited": e.reason.value}),
}


class ChildrenDirectory:
    name = "children_directory"
    tables = (children,)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        registered = RowsToWrite()  # written before any update, which may be of these children
        for stored in events:
            await APPLY[type(stored.event)](conn, registered, stored.event)
        await registered.flush(conn)


async def children_in(
    conn: AsyncConnection, keys: KeyStore, region: Region, limit: int = 100, offset: int = 0,
) -> list[dict]:
    query = select(children).order_by(children.c.region, children.c.child_id).limit(limit).offset(offset)
    if region.prefix:
        query = query.where(children.c.region.startswith(region.prefix, autoescape=True))
    rows = (await conn.execute(query)).all()
    return [{
        "child_id": row.child_id, "name": await keys.name_of(row.personal), "region": row.region,
        "category": row.category, "subtype": row.subtype, "sex": row.sex,
        "birth_date": row.birth_date.isoformat(), "paired": row.active_pairs > 0,
        "tier": row.tier, "exited": row.exited,
    } for row in rows]


async def children_count(conn: AsyncConnection, region: Region) -> int:
    """How many children the region's subtree holds: the total that a page of children_in is of."""
    query = select(func.count()).select_from(children)
    if region.prefix:
        query = query.where(children.c.region.startswith(region.prefix, autoescape=True))
    return (await conn.execute(query)).scalar_one()


async def child_names(conn: AsyncConnection, keys: KeyStore, child_ids) -> dict[str, tuple[str, str]]:
    """The name and region of these children (those with a row here), for a reader who may see them."""
    wanted = sorted(set(child_ids))
    if not wanted:
        return {}
    query = select(children.c.child_id, children.c.personal, children.c.region).where(children.c.child_id.in_(wanted))
    return {row.child_id: (await keys.name_of(row.personal), row.region) for row in await conn.execute(query)}
