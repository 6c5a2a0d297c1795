"""Read model: the children of a region's subtree, as an operator of that region may see them.

Names stay sealed in the rows; they are opened with the key store when read, so erasing a child's
key erases the name here too, without touching the table.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Column, Date, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.intake.child_file import ChildExited, ChildPlaceCompleted, ChildTransferredIn
from contracts.activity.concerns import ChildRiskAssessed
from contracts.intake.registration import ChildRegistered
from contracts.pairing.pairs import ChildJoinedPair, ChildLeftPair
from contracts.regions import Region
from services.projections.batch_rows import Rows
from services.shared.follower.projection import metadata
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


# Every handler gets the batch's rows (read before its events, changed in memory in their order,
# written back at its end: see batch_rows.py) and the event.
def _registered(rows: Rows, event: ChildRegistered) -> None:
    rows.add(dict(  # registered twice (a replayed list): the first row stands
        child_id=event.child_id, region=event.region, category=event.category.value,
        subtype=event.subtype.value if event.subtype else None, sex=event.sex.value,
        birth_date=event.birth_date, personal=event.personal.model_dump(), active_pairs=0, tier=None,
        exited=None,
    ))


def _changes(values):
    """A change of the child's row (if it has one) to the values `values(row, event)` gives."""
    def change(rows: Rows, event) -> None:
        if (row := rows.get(event.child_id)) is not None:
            rows.set(event.child_id, **values(row, event))
    return change


def _paired(step: int):
    return _changes(lambda row, e: {"active_pairs": row["active_pairs"] + step})


APPLY = {
    ChildRegistered: _registered,
    ChildJoinedPair: _paired(1),
    ChildLeftPair: _paired(-1),
    ChildTransferredIn: _changes(lambda row, e: {"region": e.region}),
    ChildPlaceCompleted: _changes(lambda row, e: {"region": e.region}),
    ChildRiskAssessed: _changes(lambda row, e: {"tier": e.tier.value}),
    ChildExited: _changes(lambda row, e: {"exited": e.reason.value}),
}
CHANGING = ("region", "active_pairs", "tier", "exited")  # what events after a registration change


class ChildrenDirectory:
    name = "children_directory"
    tables = (children,)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        rows = Rows(children, CHANGING)
        await rows.read(conn, "child_id", (stored.event.child_id for stored in events))
        for stored in events:
            APPLY[type(stored.event)](rows, stored.event)
        await rows.write(conn)


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
    rows = (await conn.execute(query)).all()
    await keys.prefetch(_key_ids(row.personal for row in rows))  # a few queries for a listing, not one per child
    return {row.child_id: (await keys.name_of(row.personal), row.region) for row in rows}


def _key_ids(sealed_values) -> list[str]:
    return [str(value["key_id"]) for value in sealed_values if isinstance(value, dict) and value.get("key_id")]


async def child_particulars(conn: AsyncConnection, child_ids) -> dict[str, tuple[str, date]]:
    """The sex and birth date of these children (those with a row here), for a reader who may see them."""
    wanted = sorted(set(child_ids))
    if not wanted:
        return {}
    query = select(children.c.child_id, children.c.sex, children.c.birth_date).where(children.c.child_id.in_(wanted))
    return {row.child_id: (row.sex, row.birth_date) for row in await conn.execute(query)}


SCAN = 20_000  # names opened at most for one search: past that, the caller narrows it to a sub-region


async def find_children(conn: AsyncConnection, keys: KeyStore, region: Region, text: str, limit: int = 20,
                        scan: int = SCAN) -> tuple[list[dict], bool]:
    """The children on file in the region's subtree whose name holds `text`, and whether every name
    was looked at. Names are sealed in the rows, so each is opened to be matched: a district's
    children at most, not a province's."""
    query = (select(children.c.child_id, children.c.personal, children.c.region, children.c.sex,
                    children.c.birth_date, children.c.active_pairs, children.c.tier)
             .where(children.c.exited.is_(None)).order_by(children.c.region, children.c.child_id).limit(scan + 1))
    if region.prefix:
        query = query.where(children.c.region.startswith(region.prefix, autoescape=True))
    rows = (await conn.execute(query)).all()
    await keys.prefetch(_key_ids(row.personal for row in rows[:scan]))
    found, wanted = [], text.casefold()
    for row in rows[:scan]:
        name = await keys.name_of(row.personal)
        if name and wanted in name.casefold():
            found.append({"child_id": row.child_id, "name": name, "region": row.region, "sex": row.sex,
                          "birth_date": row.birth_date.isoformat(), "paired": row.active_pairs > 0, "tier": row.tier})
            if len(found) >= limit:
                break
    return found, len(rows) <= scan
