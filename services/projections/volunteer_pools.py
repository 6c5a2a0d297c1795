"""Read model: the pairing pool (结对库) and the reserve pool (储备库), per district and per
street/town, kept by the volunteers' events and never by hand.

The pairing pool holds trained volunteers with a free place; the reserve pool those recruited but
not trained yet, or trained but with every place taken. Withdrawn volunteers are in neither.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.intake.registration import VolunteerRecruited
from contracts.pairing.pairs import VolunteerJoinedPair, VolunteerLeftPair
from contracts.regions import Region, parse_region, region_name
from contracts.intake.volunteers import REQUIRED_TRAINING, VolunteerTrained, VolunteerWithdrew
from services.projections.batch_rows import Rows
from services.shared.follower.projection import metadata
from services.shared.eventlog import StoredEvent

POOLS = ("pairing", "reserve_untrained", "reserve_at_capacity", "withdrawn")
pool_members = Table(
    "volunteer_pools", metadata,
    Column("volunteer_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("capacity", Integer, nullable=False),
    Column("load", Integer, nullable=False),
    Column("trained_topics", JSON, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    Column("pool", String(24), nullable=False),
)


def pool_of(capacity: int, load: int, topics: list[str], withdrawn: bool) -> str:
    if withdrawn:
        return "withdrawn"
    if any(topic.value not in topics for topic in REQUIRED_TRAINING):
        return "reserve_untrained"
    return "pairing" if load < capacity else "reserve_at_capacity"


# Every handler gets the batch's rows (read before its events, changed in memory in their order,
# written back at its end: see batch_rows.py) and the event.
def _recruited(rows: Rows, event: VolunteerRecruited) -> None:
    rows.add(dict(  # recruited twice (a replayed list): the first row stands
        volunteer_id=event.volunteer_id, region=event.region, capacity=event.capacity, load=0,
        trained_topics=[], withdrawn=False, pool=pool_of(event.capacity, 0, [], False)))


def _placed(change):
    """An event that changes the volunteer's load, topics or withdrawal, as
    `change(event, load, topics, withdrawn)` gives them anew, and so maybe the pool it is in."""
    def place(rows: Rows, event) -> None:
        found = rows.get(event.volunteer_id)
        if found is None:
            return  # an event of a volunteer recruited before this log began: nothing to place
        load, topics, withdrawn = change(event, found["load"], list(found["trained_topics"]), found["withdrawn"])
        rows.set(event.volunteer_id, load=load, trained_topics=topics, withdrawn=withdrawn,
                 pool=pool_of(found["capacity"], load, topics, withdrawn))
    return place


def _trained(event: VolunteerTrained, load: int, topics: list[str], withdrawn: bool):
    topic = event.topic.value
    return load, topics if topic in topics else sorted([*topics, topic]), withdrawn


APPLY = {
    VolunteerRecruited: _recruited,
    VolunteerTrained: _placed(_trained),
    VolunteerWithdrew: _placed(lambda e, load, topics, withdrawn: (load, topics, True)),
    VolunteerJoinedPair: _placed(lambda e, load, topics, withdrawn: (load + e.children, topics, withdrawn)),
    VolunteerLeftPair: _placed(lambda e, load, topics, withdrawn: (load - e.children, topics, withdrawn)),
}
# What events after a recruitment change; the capacity is read (and written back unchanged) for the pool.
CHANGING = ("capacity", "load", "trained_topics", "withdrawn", "pool")


class VolunteerPools:
    name = "volunteer_pools"
    tables = (pool_members,)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        rows = Rows(pool_members, CHANGING)
        await rows.read(conn, "volunteer_id", (stored.event.volunteer_id for stored in events))
        for stored in events:
            APPLY[type(stored.event)](rows, stored.event)
        await rows.write(conn)


async def pools(conn: AsyncConnection, region: Region) -> dict:
    """Pool sizes for the region, split per district and per street/town within it."""
    return {"region": region.code, "name": region.name, **await _counts(conn, region, None),
            "districts": await _counts(conn, region, 6), "streets": await _counts(conn, region, 9)}


async def _counts(conn: AsyncConnection, region: Region, length: int | None):
    row = pool_members.c
    free = func.sum(case((row.pool == "pairing", row.capacity - row.load), else_=0)).label("free_places")
    counts = [func.sum(case((row.pool == pool, 1), else_=0)).label(pool) for pool in POOLS]
    part = func.substr(row.region, 1, length or 12).label("part")
    query = select(*counts, free, *([part] if length else []))
    if region.prefix:
        query = query.where(row.region.startswith(region.prefix, autoescape=True))
    if length:
        query = query.group_by(part).order_by(part)
    found = [{name: int(r._mapping[name] or 0) for name in (*POOLS, "free_places")} | (
        {"region": parse_region(r.part).code, "name": region_name(parse_region(r.part))} if length else {})
        for r in await conn.execute(query)]
    return found if length else found[0]


async def pool_volunteers(conn: AsyncConnection, region: Region, pool: str, limit: int = 100) -> list[dict]:
    row = pool_members.c
    query = select(row.volunteer_id, row.region, row.capacity, row.load).where(row.pool == pool)
    if region.prefix:
        query = query.where(row.region.startswith(region.prefix, autoescape=True))
    rows = await conn.execute(query.order_by(row.region, row.volunteer_id).limit(limit))
    return [dict(r._mapping) for r in rows]
