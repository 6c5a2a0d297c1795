"""The reminder process's own view of the log: pairs, children and wishes to watch, and the
reminders already raised. Applied by a `Projector` of its own, so its rows and its checkpoint
commit together and a restart resumes exactly where the last committed batch ended."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Table, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.projections.base import metadata
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


class ReminderState:
    name = "reminder_state"
    tables = (watched_pairs, watched_children, watched_wishes, raised)

    @property
    def handles(self) -> frozenset[str]:
        return frozenset({*ROUTES, "ChildRegistered"})  # registrations are written together in apply

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        registered = RowsToWrite()  # new children, written before any later event touches them
        for stored in events:
            envelope = stored.envelope
            if envelope.event_type == "ChildRegistered":
                registered.add(insert_if_absent(conn.dialect.name, watched_children), _registration(envelope.data))
                continue
            await registered.flush(conn)
            await ROUTES[envelope.event_type](conn, envelope.data, envelope.occurred_at.date())
        await registered.flush(conn)


async def _pair_formed(conn: AsyncConnection, data: dict, day: date) -> None:
    await _insert(conn, watched_pairs, pair_id=data["pair_id"], region=data["region"],
                  child_ids=list(data["child_ids"]), formed_on=day, active=True)
    await _pair_count(conn, data["child_ids"], +1)


async def _pair_ended(conn: AsyncConnection, data: dict, day: date) -> None:
    pair = watched_pairs.c
    children = (await conn.execute(select(pair.child_ids).where(pair.pair_id == data["pair_id"]))).scalar()
    await conn.execute(update(watched_pairs).where(pair.pair_id == data["pair_id"]).values(active=False))
    await _pair_count(conn, children or [], -1)


async def _pair_count(conn: AsyncConnection, child_ids, step: int) -> None:
    child = watched_children.c
    await conn.execute(update(watched_children).where(child.child_id.in_(list(child_ids)))
                       .values(active_pairs=child.active_pairs + step))


def _registration(data: dict) -> dict:
    return {"child_id": data["child_id"], "region": data["region"],
            "birth_date": date.fromisoformat(data["birth_date"]), "active_pairs": 0, "exited": False}


async def _child_moved(conn: AsyncConnection, data: dict, day: date) -> None:
    await _update_child(conn, data["child_id"], region=data["region"])


async def _child_exited(conn: AsyncConnection, data: dict, day: date) -> None:
    await _update_child(conn, data["child_id"], exited=True)


async def _risk_assessed(conn: AsyncConnection, data: dict, day: date) -> None:
    if data["tier"] != "red":
        await _update_child(conn, data["child_id"], red_since=None)
        return
    # Assessed red again while red: the clock keeps running from the first assessment.
    child = watched_children.c
    await conn.execute(update(watched_children).where(child.child_id == data["child_id"], child.red_since.is_(None))
                       .values(red_since=day))


async def _update_child(conn: AsyncConnection, child_id: str, **values) -> None:
    await conn.execute(update(watched_children).where(watched_children.c.child_id == child_id).values(**values))


async def _wish_submitted(conn: AsyncConnection, data: dict, day: date) -> None:
    await _insert(conn, watched_wishes, wish_id=data["wish_id"], child_id=data["child_id"],
                  region=data["region"], submitted_on=day, closed=False)


async def _wish_closed(conn: AsyncConnection, data: dict, day: date) -> None:
    wish = watched_wishes.c
    await conn.execute(update(watched_wishes).where(wish.wish_id == data["wish_id"]).values(closed=True))


async def _reminder_raised(conn: AsyncConnection, data: dict, day: date) -> None:
    await _insert(conn, raised, reminder_id=data["reminder_id"])


async def _contact(conn: AsyncConnection, data: dict, day: date) -> None:
    held_on = date.fromisoformat(data["held_on"] if "held_on" in data else data["visited_on"])
    if "pair_id" in data:  # a collective activity is a contact with the children only
        await _later_contact(conn, watched_pairs, watched_pairs.c.pair_id == data["pair_id"], held_on)
    if data["child_ids"]:
        children = watched_children.c.child_id.in_(list(data["child_ids"]))
        await _later_contact(conn, watched_children, children, held_on)


async def _later_contact(conn: AsyncConnection, table: Table, which, held_on: date) -> None:
    # Activities may be logged late and out of order: only a later one moves the last contact.
    earlier = or_(table.c.last_contact.is_(None), table.c.last_contact < held_on)
    await conn.execute(update(table).where(which, earlier).values(last_contact=held_on))


async def _insert(conn: AsyncConnection, table: Table, **row) -> None:
    await conn.execute(insert_if_absent(conn.dialect.name, table), row)


ROUTES = {
    "PairFormed": _pair_formed, "PairEnded": _pair_ended,
    "ChildTransferredIn": _child_moved,
    "ChildRiskAssessed": _risk_assessed, "ChildExited": _child_exited,
    "WishSubmitted": _wish_submitted, "WishFulfilled": _wish_closed,
    "WishCancelled": _wish_closed,  # cancelling is contracts/giving.py's; matched by name
    "ReminderRaised": _reminder_raised,
    **dict.fromkeys(("VisitLogged", "ActivityLogged", "StationActivityLogged", "TeamActivityLogged"), _contact),
}
