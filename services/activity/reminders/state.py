"""The reminder process's own view of the log: pairs, children and wishes to watch, and the
reminders already raised. Applied by a `Projector` of its own, so its rows and its checkpoint
commit together and a restart resumes exactly where the last committed batch ended."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Table, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity.care import ActivityLogged, StationActivityLogged, TeamActivityLogged, VisitLogged
from contracts.activity.wishes import WishCancelled, WishFulfilled, WishSubmitted
from contracts.intake.child_file import ChildExited, ChildPlaceCompleted, ChildTransferredIn
from contracts.activity.concerns import ChildRiskAssessed, RiskTier
from contracts.intake.registration import ChildRegistered
from contracts.pairing.pairs import PairEnded, PairFormed
from contracts.activity.reminders import ReminderRaised
from services.shared.follower.projection import metadata
from services.shared.db import RowsToWrite, insert_if_absent
from services.shared.eventlog import StoredEvent

watched_pairs = Table(
    "reminder_pairs", metadata,
    Column("pair_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False),
    Column("child_ids", JSON, nullable=False),
    Column("formed_on", Date, nullable=False),
    Column("last_contact", Date),
    Column("active", Boolean, nullable=False),
)
watched_children = Table(
    "reminder_children", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("active_pairs", Integer, nullable=False),
    Column("red_since", Date),
    Column("last_contact", Date),
    Column("exited", Boolean, nullable=False),
)
watched_wishes = Table(
    "reminder_wishes", metadata,
    Column("wish_id", String(64), primary_key=True),
    Column("child_id", String(64), nullable=False),
    Column("region", String(12), nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("closed", Boolean, nullable=False),  # fulfilled or cancelled
)
raised = Table("reminders_raised", metadata, Column("reminder_id", String(64), primary_key=True))


# Every handler gets the batch's connection, the children registered in the batch and not yet
# written, the event, and the day it was recorded.
async def _child_registered(conn: AsyncConnection, registered: RowsToWrite, event: ChildRegistered,
                            day: date) -> None:
    registered.add(insert_if_absent(conn.dialect.name, watched_children), {
        "child_id": event.child_id, "region": event.region, "birth_date": event.birth_date,
        "active_pairs": 0, "exited": False})


async def _pair_formed(conn: AsyncConnection, registered: RowsToWrite, event: PairFormed, day: date) -> None:
    await _insert(conn, watched_pairs, pair_id=event.pair_id, region=event.region,
                  child_ids=list(event.child_ids), formed_on=event.formed_on or day, active=True)
    await _pair_count(conn, event.child_ids, +1)


async def _pair_ended(conn: AsyncConnection, registered: RowsToWrite, event: PairEnded, day: date) -> None:
    pair = watched_pairs.c
    children = (await conn.execute(select(pair.child_ids).where(pair.pair_id == event.pair_id))).scalar()
    await conn.execute(update(watched_pairs).where(pair.pair_id == event.pair_id).values(active=False))
    await _pair_count(conn, children or [], -1)


async def _pair_count(conn: AsyncConnection, child_ids, step: int) -> None:
    child = watched_children.c
    await conn.execute(update(watched_children).where(child.child_id.in_(list(child_ids)))
                       .values(active_pairs=child.active_pairs + step))


async def _child_moved(conn: AsyncConnection, registered: RowsToWrite, event: ChildTransferredIn | ChildPlaceCompleted,
                       day: date) -> None:
    await _update_child(conn, event.child_id, region=event.region)


async def _child_exited(conn: AsyncConnection, registered: RowsToWrite, event: ChildExited, day: date) -> None:
    await _update_child(conn, event.child_id, exited=True)


async def _risk_assessed(conn: AsyncConnection, registered: RowsToWrite, event: ChildRiskAssessed,
                         day: date) -> None:
    if event.tier != RiskTier.red:
        await _update_child(conn, event.child_id, red_since=None)
        return
    # Assessed red again while red: the clock keeps running from the first assessment.
    child = watched_children.c
    await conn.execute(update(watched_children).where(child.child_id == event.child_id, child.red_since.is_(None))
                       .values(red_since=event.assessed_on or day))


async def _update_child(conn: AsyncConnection, child_id: str, **values) -> None:
    await conn.execute(update(watched_children).where(watched_children.c.child_id == child_id).values(**values))


async def _wish_submitted(conn: AsyncConnection, registered: RowsToWrite, event: WishSubmitted, day: date) -> None:
    await _insert(conn, watched_wishes, wish_id=event.wish_id, child_id=event.child_id,
                  region=event.region, submitted_on=event.submitted_on or day, closed=False)


async def _wish_closed(conn: AsyncConnection, registered: RowsToWrite, event: WishFulfilled | WishCancelled,
                       day: date) -> None:
    wish = watched_wishes.c
    await conn.execute(update(watched_wishes).where(wish.wish_id == event.wish_id).values(closed=True))


async def _reminder_raised(conn: AsyncConnection, registered: RowsToWrite, event: ReminderRaised,
                           day: date) -> None:
    await _insert(conn, raised, reminder_id=event.reminder_id)


async def _visit(conn: AsyncConnection, registered: RowsToWrite, event: VisitLogged, day: date) -> None:
    await _contact(conn, event.pair_id, event.child_ids, event.visited_on)


async def _pair_activity(conn: AsyncConnection, registered: RowsToWrite, event: ActivityLogged, day: date) -> None:
    await _contact(conn, event.pair_id, event.child_ids, event.held_on)


async def _collective_activity(conn: AsyncConnection, registered: RowsToWrite,
                               event: StationActivityLogged | TeamActivityLogged, day: date) -> None:
    await _contact(conn, None, event.child_ids, event.held_on)  # a contact with the children only


async def _contact(conn: AsyncConnection, pair_id: str | None, child_ids, held_on: date) -> None:
    if pair_id is not None:
        await _later_contact(conn, watched_pairs, watched_pairs.c.pair_id == pair_id, held_on)
    if child_ids:
        children = watched_children.c.child_id.in_(list(child_ids))
        await _later_contact(conn, watched_children, children, held_on)


async def _later_contact(conn: AsyncConnection, table: Table, which, held_on: date) -> None:
    # Activities may be logged late and out of order: only a later one moves the last contact.
    earlier = or_(table.c.last_contact.is_(None), table.c.last_contact < held_on)
    await conn.execute(update(table).where(which, earlier).values(last_contact=held_on))


async def _insert(conn: AsyncConnection, table: Table, **row) -> None:
    await conn.execute(insert_if_absent(conn.dialect.name, table), row)


APPLY = {
    ChildRegistered: _child_registered,
    PairFormed: _pair_formed, PairEnded: _pair_ended,
    ChildTransferredIn: _child_moved, ChildPlaceCompleted: _child_moved, ChildRiskAssessed: _risk_assessed, ChildExited: _child_exited,
    WishSubmitted: _wish_submitted, WishFulfilled: _wish_closed, WishCancelled: _wish_closed,
    ReminderRaised: _reminder_raised,
    VisitLogged: _visit, ActivityLogged: _pair_activity,
    StationActivityLogged: _collective_activity, TeamActivityLogged: _collective_activity,
}


class ReminderState:
    name = "reminder_state"
    tables = (watched_pairs, watched_children, watched_wishes, raised)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        registered = RowsToWrite()  # new children, written together: one round trip for a run of them
        for stored in events:
            handle = APPLY[type(stored.event)]
            if handle is not _child_registered:  # any other event may touch a child registered before it
                await registered.flush(conn)
            await handle(conn, registered, stored.event, stored.envelope.occurred_at.date())
        await registered.flush(conn)
