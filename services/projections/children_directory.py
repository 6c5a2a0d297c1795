"""Read model: the children of a region's subtree, as an operator of that region may see them.

Names stay sealed in the rows; they are opened with the key store when read, so erasing a child's
key erases the name here too, without touching the table.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.projections.base import metadata
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


class ChildrenDirectory:
    name = "children_directory"
    tables = (children,)
    handles = frozenset({"ChildRegistered", "ChildJoinedPair", "ChildLeftPair", "ChildTransferredIn",
                         "ChildRiskAssessed", "ChildExited"})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        registered = RowsToWrite()  # written before any update, which may be of these children
        for stored in events:
            event = stored.envelope.event()
            kind = stored.envelope.event_type
            changes = {"ChildTransferredIn": lambda e: {"region": e.region},
                       "ChildRiskAssessed": lambda e: {"tier": e.tier.value},
                       "ChildExited": lambda e: {"exited": e.reason.value}}.get(kind)
            if kind != "ChildRegistered":
                await registered.flush(conn)
            if changes:
                await conn.execute(children.update().where(children.c.child_id == event.child_id)
                                   .values(**changes(event)))
            elif kind == "ChildRegistered":
                registered.add(insert_if_absent(conn.dialect.name, children), dict(
                    child_id=event.child_id, region=event.region, category=event.category.value,
                    subtype=event.subtype.value if event.subtype else None, sex=event.sex.value,
                    birth_date=event.birth_date, personal=event.personal.model_dump(),
                    active_pairs=0,
                ))
            else:
                step = 1 if stored.envelope.event_type == "ChildJoinedPair" else -1
                await conn.execute(children.update().where(children.c.child_id == event.child_id)
                                   .values(active_pairs=children.c.active_pairs + step))
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
