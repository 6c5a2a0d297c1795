"""Read model: the rematch queue — children whose pair ended and who now have no individual care,
waiting for a new pair. The API offers each fresh suggestions from the matching read model.

A child enters when it leaves a pair (unless it aged out) and keeps no active pair other than a
collective one (a collective pair it leaves counts only if no pair at all remains); it leaves the
queue when it joins an individual pair or exits the programme, and moves with it between regions.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.intake.child_file import ChildExited, ChildPlaceCompleted, ChildTransferredIn
from contracts.pairing.pairs import ChildJoinedPair, ChildLeftPair, PairEndReason, PairMode
from contracts.regions import Region
from services.projections.batch_rows import Rows
from services.shared.follower.projection import metadata
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


class _Batch:
    """The queue's rows and the active pairs of the children a batch's events name, read before its
    events, changed in memory in their order and written back at its end (batch_rows.py)."""

    def __init__(self) -> None:
        self.queue = Rows(queue, ("region", "left_pair_id", "reason", "since"))
        self.pairs = Rows(child_pairs, ("mode",))  # keyed (child, pair): a child's pairs together


def _joined(batch: _Batch, stored: StoredEvent) -> None:
    child_id, event = stored.envelope.aggregate_id, stored.event
    batch.pairs.add({"child_id": child_id, "pair_id": event.pair_id, "mode": event.mode.value})
    if event.mode is not PairMode.collective:
        batch.queue.delete(child_id)


def _left(batch: _Batch, stored: StoredEvent) -> None:
    envelope, event = stored.envelope, stored.event
    held = batch.pairs.get((envelope.aggregate_id, event.pair_id))
    left = held["mode"] if held else None
    batch.pairs.delete((envelope.aggregate_id, event.pair_id))
    remaining = [row["mode"] for row in batch.pairs.having(envelope.aggregate_id)]
    collective = PairMode.collective.value
    lost_care = not remaining if left == collective else all(m == collective for m in remaining)
    if event.reason in NO_REMATCH or not lost_care:
        return
    batch.queue.put({"child_id": envelope.aggregate_id, "region": envelope.region, "left_pair_id": event.pair_id,
                     "reason": event.reason.value, "since": envelope.occurred_at.isoformat()})


def _moved_in(batch: _Batch, stored: StoredEvent) -> None:
    batch.queue.set(stored.envelope.aggregate_id, region=stored.event.region)


def _exited(batch: _Batch, stored: StoredEvent) -> None:
    batch.queue.delete(stored.envelope.aggregate_id)


APPLY = {ChildJoinedPair: _joined, ChildLeftPair: _left, ChildTransferredIn: _moved_in,
         ChildPlaceCompleted: _moved_in, ChildExited: _exited}


class RematchQueue:
    name = "rematch_queue"
    tables = (queue, child_pairs)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        batch, child_ids = _Batch(), {stored.envelope.aggregate_id for stored in events}
        await batch.queue.read(conn, "child_id", child_ids)
        await batch.pairs.read(conn, "child_id", child_ids)
        for stored in events:
            APPLY[type(stored.event)](batch, stored)
        await batch.queue.write(conn)
        await batch.pairs.write(conn)


async def waiting(conn: AsyncConnection, region: Region, limit: int = 100) -> list[dict]:
    query = select(queue).order_by(queue.c.since, queue.c.child_id).limit(limit)
    if region.prefix:
        query = query.where(queue.c.region.startswith(region.prefix, autoescape=True))
    return [dict(row._mapping) for row in await conn.execute(query)]
