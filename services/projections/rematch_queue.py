"""Read model: the rematch queue — children whose pair ended and who now have no individual care,
waiting for a new pair. The API offers each fresh suggestions from the matching read model.

A child enters when it leaves a pair (unless it aged out) and keeps no active pair other than a
collective one (a collective pair it leaves counts only if no pair at all remains); it leaves the
queue when it joins an individual pair or exits the programme, and moves with it between regions.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.child_file import ChildExited, ChildPlaceCompleted, ChildTransferredIn
from contracts.pairing import ChildJoinedPair, ChildLeftPair, PairEndReason, PairMode
from contracts.regions import Region
from services.shared.follower.projection import metadata
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
NO_REMATCH = (PairEndReason.aged_out,)


async def _joined(conn: AsyncConnection, stored: StoredEvent) -> None:
    child_id, event = stored.envelope.aggregate_id, stored.event
    await conn.execute(upsert(conn.dialect.name, child_pairs).values(
        child_id=child_id, pair_id=event.pair_id, mode=event.mode.value).on_conflict_do_nothing())
    if event.mode is not PairMode.collective:
        await conn.execute(delete(queue).where(queue.c.child_id == child_id))


async def _left(conn: AsyncConnection, stored: StoredEvent) -> None:
    envelope, event = stored.envelope, stored.event
    mine = child_pairs.c.child_id == envelope.aggregate_id
    this_pair = child_pairs.c.pair_id == event.pair_id
    left = (await conn.execute(select(child_pairs.c.mode).where(mine, this_pair))).scalar()
    await conn.execute(delete(child_pairs).where(mine, this_pair))
    remaining = [m for (m,) in await conn.execute(select(child_pairs.c.mode).where(mine))]
    collective = PairMode.collective.value
    lost_care = not remaining if left == collective else all(m == collective for m in remaining)
    if event.reason in NO_REMATCH or not lost_care:
        return
    waits = {"region": envelope.region, "left_pair_id": event.pair_id, "reason": event.reason.value,
             "since": envelope.occurred_at.isoformat()}
    statement = upsert(conn.dialect.name, queue).values(child_id=envelope.aggregate_id, **waits)
    await conn.execute(statement.on_conflict_do_update(index_elements=["child_id"], set_=waits))


async def _moved_in(conn: AsyncConnection, stored: StoredEvent) -> None:
    await conn.execute(queue.update().where(queue.c.child_id == stored.envelope.aggregate_id)
                       .values(region=stored.event.region))


async def _exited(conn: AsyncConnection, stored: StoredEvent) -> None:
    await conn.execute(delete(queue).where(queue.c.child_id == stored.envelope.aggregate_id))


APPLY = {ChildJoinedPair: _joined, ChildLeftPair: _left, ChildTransferredIn: _moved_in,
         ChildPlaceCompleted: _moved_in, ChildExited: _exited}


class RematchQueue:
    name = "rematch_queue"
    tables = (queue, child_pairs)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        for stored in events:
            await APPLY[type(stored.event)](conn, stored)


async def waiting(conn: AsyncConnection, region: Region, limit: int = 100) -> list[dict]:
    query = select(queue).order_by(queue.c.since, queue.c.child_id).limit(limit)
    if region.prefix:
        query = query.where(queue.c.region.startswith(region.prefix, autoescape=True))
    return [dict(row._mapping) for row in await conn.execute(query)]
