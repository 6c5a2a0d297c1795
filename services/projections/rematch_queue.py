"""Read model: the rematch queue — children whose pair ended and who now have no individual care,
waiting for a new pair. The API offers each fresh suggestions from the matching read model.

A child enters when it leaves a pair (unless it aged out) and keeps no active pair other than a
collective one (a collective pair it leaves counts only if no pair at all remains); it leaves the
queue when it joins an individual pair or exits the programme, and moves with it between regions.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.projections.base import metadata
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent

queue = Table(
    "rematch_queue", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("left_pair_id", String(64), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("since", String(40), nullable=False),  # when the pair ended (ISO 8601)
)
child_pairs = Table(  # the queue's own memory of each child's active pairs and their modes
    "rematch_child_pairs", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("pair_id", String(64), primary_key=True),
    Column("mode", String(16), nullable=False),
)
NO_REMATCH = ("aged_out",)


class RematchQueue:
    name = "rematch_queue"
    tables = (queue, child_pairs)
    handles = frozenset({"ChildJoinedPair", "ChildLeftPair", "ChildTransferredIn", "ChildExited"})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        for stored in events:
            envelope, kind = stored.envelope, stored.envelope.event_type
            child_id, data = envelope.aggregate_id, envelope.data
            if kind == "ChildJoinedPair":
                await conn.execute(upsert(conn.dialect.name, child_pairs).values(
                    child_id=child_id, pair_id=data["pair_id"], mode=data["mode"]).on_conflict_do_nothing())
                if data["mode"] != "collective":
                    await conn.execute(delete(queue).where(queue.c.child_id == child_id))
            elif kind == "ChildLeftPair":
                await self._left(conn, stored)
            elif kind == "ChildTransferredIn":
                await conn.execute(queue.update().where(queue.c.child_id == child_id).values(region=data["region"]))
            else:  # ChildExited
                await conn.execute(delete(queue).where(queue.c.child_id == child_id))

    async def _left(self, conn: AsyncConnection, stored: StoredEvent) -> None:
        envelope, data = stored.envelope, stored.envelope.data
        mine = child_pairs.c.child_id == envelope.aggregate_id
        this_pair = child_pairs.c.pair_id == data["pair_id"]
        left = (await conn.execute(select(child_pairs.c.mode).where(mine, this_pair))).scalar()
        await conn.execute(delete(child_pairs).where(mine, this_pair))
        remaining = [m for (m,) in await conn.execute(select(child_pairs.c.mode).where(mine))]
        lost_care = not remaining if left == "collective" else all(m == "collective" for m in remaining)
        if data["reason"] in NO_REMATCH or not lost_care:
            return
        statement = upsert(conn.dialect.name, queue).values(
            child_id=envelope.aggregate_id, region=envelope.region, left_pair_id=data["pair_id"],
            reason=data["reason"], since=envelope.occurred_at.isoformat())
        await conn.execute(statement.on_conflict_do_update(index_elements=["child_id"], set_={
            "region": envelope.region, "left_pair_id": data["pair_id"], "reason": data["reason"],
            "since": envelope.occurred_at.isoformat()}))


async def waiting(conn: AsyncConnection, region: Region, limit: int = 100) -> list[dict]:
    query = select(queue).order_by(queue.c.since, queue.c.child_id).limit(limit)
    if region.prefix:
        query = query.where(queue.c.region.startswith(region.prefix, autoescape=True))
    return [dict(row._mapping) for row in await conn.execute(query)]
