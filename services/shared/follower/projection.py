"""What a projection is: tables, the event classes it reacts to, and one `apply` per batch.

A projection is handed the events of a batch inside the projector's transaction; it must change
rows only through that connection, so that its rows and its checkpoint commit together.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Event
from services.shared.eventlog import StoredEvent

metadata = MetaData()

checkpoints = Table(
    "projection_checkpoints", metadata,
    Column("projection", String(64), primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

dead_letters = Table(
    "projection_dead_letters", metadata,
    Column("seq", Integer, primary_key=True),
    Column("subject", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

# The events a projection could not apply (`error`), and those of the same aggregate held behind
# the first of them (`held_behind` its seq): none of them is applied, all are behind the checkpoint;
# `services.shared.follower.parking` says how they are parked and released.
parked = Table(
    "parked_events", metadata,
    Column("projection", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("subject", Text, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("aggregate_type", String(64), nullable=False),
    Column("aggregate_id", String(128), nullable=False),
    Column("region", String(12), nullable=False),
    Column("held_behind", Integer),
    Column("error", Text, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Index("parked_events_by_aggregate", "projection", "aggregate_type", "aggregate_id", "seq"),
)


class Projection(Protocol):
    name: str
    tables: tuple[Table, ...]
    handles: frozenset[type[Event]]  # the rest pass it by

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        """`events` are only of the classes handled, each already typed (`stored.event`)."""

    # Optional: `uncompared`, tables of `tables` that record the read model's history rather than
    # its content (when each part last changed), which a rebuild writes but does not compare.
    # Optional: `async def upgrade(self, conn) -> None`, run at start in the schema's transaction,
    # before any batch: fill tables a newer version added from the read model's other tables; it
    # returns True where they cannot give what the version counts anew: the projector then
    # rebuilds the read model from the log beside the live one (`Projector.run`).
