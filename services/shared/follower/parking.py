"""Parked events: what a follower could not apply, and the events of its aggregate held behind it.

When a projection's `apply` raises on a batch (a bug, an event of a newer version without its
upcaster), the applier applies the batch again with each projection's events in a savepoint, and
a projection that fails there event by event, each in a savepoint of its own: the event that raises
is parked with its error and the later events of its aggregate are parked behind it ("held behind
seq N"), in order, while every other event is applied. The rows commit with the checkpoint, so an
event is either applied (and behind the checkpoint) or parked, never both, and the live follower
is never stuck; the rows are what is still to apply. Once an aggregate has a parked event, every
later batch parks its events for that projection too, until `release` applies them again in order
(after a fix or an upcaster ships) or an operator skips the first (`ParkedEventSkipped`, in the log).

A fault of the database itself (a lost connection, a lock) is not the event's doing: it fails the
batch as before, and the follower tries again from its checkpoint.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.operations import ParkedEventSkipped
from services.shared.eventlog import EventLog, MalformedEvent, StoredEvent
from services.shared.follower.projection import Projection, parked

log = logging.getLogger("aixin.projections")
FAULTS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout, OSError, MemoryError)
Aggregate = tuple[str, str]


def is_fault(error: BaseException) -> bool:
    """Whether `error` is the database's (or the machine's), not the event's: then nothing is parked."""
    return isinstance(error, FAULTS) or bool(getattr(error, "connection_invalidated", False))


def described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


async def attempt(conn: AsyncConnection, projection: Projection, events: list[StoredEvent]) -> str | None:
    """Apply `events` in a savepoint: None if they were, else why not (and nothing of them stays)."""
    try:
        async with conn.begin_nested():
            await projection.apply(conn, events)
    except Exception as error:
        if is_fault(error):
            raise
        return described(error)
    return None


async def held(conn: AsyncConnection, names) -> dict[str, dict[Aggregate, int]]:
    """By projection, its held aggregates and the seq each waits behind (its first parked event)."""
    rows = await conn.execute(_held_statement(), {"names": list(names)})
    found: dict[str, dict[Aggregate, int]] = {name: {} for name in names}
    for name, aggregate_type, aggregate_id, first in rows:
        found[name][(aggregate_type, aggregate_id)] = first
    return found


@functools.cache
def _held_statement():
    """Built once: a statement built per batch cost a live batch of one event more than running it."""
    c = parked.c
    return (select(c.projection, c.aggregate_type, c.aggregate_id, func.min(c.seq))
            .where(c.projection.in_(bindparam("names", expanding=True)))
            .group_by(c.projection, c.aggregate_type, c.aggregate_id))


class Parking:
    """The parking of one batch, in its transaction: `sort_out` parks the events of held aggregates,
    `apply` parks what fails, `write` stores the rows, `skip` drops one and releases its aggregate."""

    def __init__(self, conn: AsyncConnection, event_log: EventLog, holds: dict[str, dict[Aggregate, int]]):
        self.conn, self.log, self.holds = conn, event_log, holds
        self.rows: list[dict] = []

    def sort_out(self, name: str, events: list[StoredEvent]) -> list[StoredEvent]:
        """The events of `name` to apply; those of its held aggregates are parked behind."""
        holds = self.holds[name]
        if not holds:
            return events
        free = []
        for stored in events:
            behind = holds.get(_aggregate(stored))
            if behind is None:
                free.append(stored)
            else:
                self._park(name, stored, f"held behind seq {behind}", behind)
        return free

    async def apply(self, projection: Projection, events: list[StoredEvent]) -> None:
        """All of them in a savepoint; if that fails, one by one, parking what fails and holding its aggregate."""
        if not events or await attempt(self.conn, projection, events) is None:
            return
        holds = self.holds[projection.name]
        for stored in events:
            if (behind := holds.get(_aggregate(stored))) is not None:
                self._park(projection.name, stored, f"held behind seq {behind}", behind)
            elif (error := await attempt(self.conn, projection, [stored])) is not None:
                log.error("%s could not apply stream sequence %d (%s %s), parked: %s", projection.name,
                          stored.seq, stored.envelope.event_type, stored.envelope.aggregate_id, error)
                self._park(projection.name, stored, error, None)
                holds[_aggregate(stored)] = stored.seq

    async def write(self) -> None:
        if self.rows:
            await self.conn.execute(parked.insert(), self.rows)
            self.rows = []

    async def skip(self, projection: Projection, skipped: ParkedEventSkipped) -> None:
        """Drop the event an operator skipped, then apply again what its aggregate held behind it."""
        c = parked.c
        row = (await self.conn.execute(select(c.aggregate_type, c.aggregate_id).where(
            c.projection == projection.name, c.seq == skipped.seq))).first()
        if row is None:  # never parked here (a rebuild after a fix), or skipped before
            return
        await self.conn.execute(delete(parked).where(c.projection == projection.name, c.seq == skipped.seq))
        await release(self.conn, self.log, projection, tuple(row))

    def _park(self, name: str, stored: StoredEvent, error: str, behind: int | None) -> None:
        envelope = stored.envelope
        self.rows.append({"projection": name, "seq": stored.seq, "subject": stored.subject,
                          "event_type": envelope.event_type, "aggregate_type": envelope.aggregate_type,
                          "aggregate_id": envelope.aggregate_id, "region": envelope.region,
                          "held_behind": behind, "error": error, "parked_at": datetime.now(UTC)})


async def release(conn: AsyncConnection, event_log: EventLog, projection: Projection,
                  aggregate: Aggregate) -> tuple[int, int]:
    """Apply an aggregate's parked events of `projection` again, in order, each in a savepoint,
    until one fails again: that one stays parked with its new error, those after it held behind it.
    Returns how many were applied and how many stay parked."""
    c = parked.c
    mine = (c.projection == projection.name, c.aggregate_type == aggregate[0], c.aggregate_id == aggregate[1])
    rows = (await conn.execute(select(c.seq, c.subject).where(*mine).order_by(c.seq))).all()
    blocker, applied = None, 0
    for seq, subject in rows:
        if blocker is None:
            error = await _apply_again(conn, event_log, projection, seq, subject)
            if error is None:
                await conn.execute(delete(parked).where(*mine, c.seq == seq))
                applied += 1
                continue
            blocker, values = seq, {"error": error, "held_behind": None, "parked_at": datetime.now(UTC)}
        else:
            values = {"error": f"held behind seq {blocker}", "held_behind": blocker}
        await conn.execute(update(parked).where(*mine, c.seq == seq).values(**values))
    return applied, len(rows) - applied


async def _apply_again(conn: AsyncConnection, event_log: EventLog, projection: Projection,
                       seq: int, subject: str) -> str | None:
    message = await event_log.message_at(seq, subject)
    if message is None:
        return f"stream sequence {seq} is no longer in the log on {subject}"
    try:
        stored = message.decode_typed()
        kind = type(stored.event)
    except (MalformedEvent, KeyError) as error:  # KeyError: a type this version does not know
        return described(error)
    if kind not in projection.handles:  # no longer read by this version: nothing to apply
        return None
    return await attempt(conn, projection, [stored])


def _aggregate(stored: StoredEvent) -> Aggregate:
    return stored.envelope.aggregate_type, stored.envelope.aggregate_id
