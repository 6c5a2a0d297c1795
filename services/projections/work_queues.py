"""Read models: an office's work lists — the reminders still open, the pairs whose contact is
overdue, and the children at risk who have no active pair (red tier first, then orange…; within a
tier the longest registered first), or every child without one, those not yet assessed after them.

A reminder stays open until its cause is resolved (services/activity/reminders/rules.py): a contact
with the pair after the date it counted from ("contact overdue"; the pair's ending too); a contact
with the child after it, or a tier other than red ("red tier without contact"); the birthday gone
by ("birthday coming"); the wish fulfilled or cancelled ("wish waiting"); and any reminder about a
child who left the programme. What resolves it is kept beside it (last contacts, tiers, closed
wishes), not applied to it, so a reminder raised late, after its cause was resolved, is closed too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Table, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity.care import ActivityLogged, StationActivityLogged, TeamActivityLogged, VisitLogged
from contracts.activity.wishes import WishCancelled, WishFulfilled
from contracts.intake.child_file import ChildExited, ChildTransferredIn
from contracts.activity.concerns import ChildRiskAssessed
from contracts.intake.registration import ChildRegistered
from contracts.pairing.pairs import ChildJoinedPair, ChildLeftPair, PairEnded, PairFormed
from contracts.regions import Region
from contracts.activity.reminders import ReminderRaised, ReminderRule
from services.projections.batch_rows import Rows
from services.shared.db import RowsToWrite, insert_if_absent
from services.shared.eventlog import StoredEvent
from services.shared.follower.projection import metadata

TIERS = ("red", "orange", "yellow", "blue")  # the order children at risk are listed in

work_children = Table(
    "work_children", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("registered_on", Date, nullable=False),
    Column("registered_seq", Integer, nullable=False),  # the order of registrations on one day
    Column("tier", String(8)),
    Column("active_pairs", Integer, nullable=False),
    Column("exited", Boolean, nullable=False),
    Column("last_contact", Date),
)
work_pairs = Table(
    "work_pairs", metadata,
    Column("pair_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("child_ids", JSON, nullable=False),
    Column("formed_on", Date, nullable=False),
    Column("last_contact", Date),
    Column("active", Boolean, nullable=False),
)
work_reminders = Table(
    "work_reminders", metadata,
    Column("reminder_id", String(64), primary_key=True),
    Column("rule", String(32), nullable=False),
    Column("region", String(12), nullable=False, index=True),
    Column("pair_id", String(64)),
    Column("child_id", String(64)),
    Column("wish_id", String(64)),
    Column("reference_date", Date, nullable=False),
    Column("due_on", Date, nullable=False),
)
closed_wishes = Table("work_closed_wishes", metadata, Column("wish_id", String(64), primary_key=True))


class _Batch:
    """A batch's rows of children and pairs (read first, changed in memory in log order, written
    back with one statement per kind of change: `services.projections.batch_rows`), and the
    reminders and closed wishes it adds."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.children = Rows(work_children, ("region", "tier", "active_pairs", "exited", "last_contact"))
        self.pairs = Rows(work_pairs, ("active", "last_contact"))
        self.added = RowsToWrite()


def _registered(batch: _Batch, stored: StoredEvent, event: ChildRegistered) -> None:
    batch.children.add(dict(
        child_id=event.child_id, region=event.region,
        registered_on=event.registered_on or stored.envelope.occurred_at.date(),
        registered_seq=stored.seq, tier=None, active_pairs=0, exited=False, last_contact=None))


def _child_change(values):
    def change(batch: _Batch, stored: StoredEvent, event) -> None:
        if (child := batch.children.get(event.child_id)) is not None:  # an UPDATE that finds none
            batch.children.set(event.child_id, **values(event, child))
    return change


def _pair_formed(batch: _Batch, stored: StoredEvent, event: PairFormed) -> None:
    batch.pairs.add(dict(
        pair_id=event.pair_id, region=event.region, child_ids=list(event.child_ids),
        formed_on=event.formed_on or stored.envelope.occurred_at.date(), last_contact=None, active=True))


def _pair_ended(batch: _Batch, stored: StoredEvent, event: PairEnded) -> None:
    batch.pairs.set(event.pair_id, active=False)


def _reminder(batch: _Batch, stored: StoredEvent, event: ReminderRaised) -> None:
    batch.added.add(insert_if_absent(batch.dialect, work_reminders), dict(
        reminder_id=event.reminder_id, rule=event.rule.value, region=event.region, pair_id=event.pair_id,
        child_id=event.child_id, wish_id=event.wish_id, reference_date=event.reference_date,
        due_on=event.due_on))


def _wish_closed(batch: _Batch, stored: StoredEvent, event: WishFulfilled | WishCancelled) -> None:
    batch.added.add(insert_if_absent(batch.dialect, closed_wishes), {"wish_id": event.wish_id})


def _contact(day, pair=lambda e: e.pair_id):
    """A contact on `day(event)` with the event's pair (if any) and children. Contacts may be
    logged late and out of order: only a later one moves the last contact."""
    def contacted(batch: _Batch, stored: StoredEvent, event) -> None:
        held_on, pair_id = day(event), pair(event)
        for rows, key in ([(batch.pairs, pair_id)] if pair_id is not None else []) + \
                [(batch.children, child_id) for child_id in event.child_ids]:
            row = rows.get(key)
            if row is not None and (row["last_contact"] is None or row["last_contact"] < held_on):
                rows.set(key, last_contact=held_on)
    return contacted


APPLY = {
    ChildRegistered: _registered,
    ChildTransferredIn: _child_change(lambda e, child: {"region": e.region}),
    ChildRiskAssessed: _child_change(lambda e, child: {"tier": e.tier.value}),
    ChildExited: _child_change(lambda e, child: {"exited": True}),
    ChildJoinedPair: _child_change(lambda e, child: {"active_pairs": child["active_pairs"] + 1}),
    ChildLeftPair: _child_change(lambda e, child: {"active_pairs": child["active_pairs"] - 1}),
    PairFormed: _pair_formed, PairEnded: _pair_ended,
    ReminderRaised: _reminder, WishFulfilled: _wish_closed, WishCancelled: _wish_closed,
    VisitLogged: _contact(lambda e: e.visited_on), ActivityLogged: _contact(lambda e: e.held_on),
    StationActivityLogged: _contact(lambda e: e.held_on, pair=lambda e: None),
    TeamActivityLogged: _contact(lambda e: e.held_on, pair=lambda e: None),
}


# The events whose child's or pair's row `apply` reads first, by class.
OF_CHILD = (ChildRegistered, ChildTransferredIn, ChildRiskAssessed, ChildExited, ChildJoinedPair, ChildLeftPair)
CONTACTS = (VisitLogged, ActivityLogged, StationActivityLogged, TeamActivityLogged)
OF_PAIR = (PairFormed, PairEnded, VisitLogged, ActivityLogged)


class WorkQueues:
    name = "work_queues"
    tables = (work_children, work_pairs, work_reminders, closed_wishes)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        batch = _Batch(conn.dialect.name)
        children, pairs = set(), set()
        for event in (stored.event for stored in events):
            if isinstance(event, OF_CHILD):
                children.add(event.child_id)
            if isinstance(event, CONTACTS):
                children.update(event.child_ids)
            if isinstance(event, OF_PAIR):
                pairs.add(event.pair_id)
        await batch.children.read(conn, "child_id", children)
        await batch.pairs.read(conn, "pair_id", pairs)
        for stored in events:
            APPLY[type(stored.event)](batch, stored, stored.event)
        await batch.children.write(conn)
        await batch.pairs.write(conn)
        await batch.added.flush(conn)


def _within(column, region: Region):
    return column.startswith(region.prefix, autoescape=True) if region.prefix else column.isnot(None)


def _after(contact: date | None, reference: date) -> bool:
    return contact is not None and contact > reference


def _still_open(row, today: date) -> bool:
    if row.exited:
        return False
    if row.rule == ReminderRule.contact_overdue:
        return bool(row.pair_active) and not _after(row.pair_contact, row.reference_date)
    if row.rule == ReminderRule.red_tier_without_contact:
        return row.tier == "red" and not _after(row.child_contact, row.reference_date)
    if row.rule == ReminderRule.birthday_coming:
        return row.reference_date >= today
    return row.closed_wish is None  # wish_waiting


async def open_reminders(conn: AsyncConnection, region: Region, today: date) -> list[dict]:
    """The reminders of the region's subtree not yet resolved, the longest due first."""
    r, p, c = work_reminders.c, work_pairs.c, work_children.c
    query = (select(work_reminders, p.active.label("pair_active"), p.last_contact.label("pair_contact"), p.child_ids,
                    c.tier, c.exited, c.last_contact.label("child_contact"), closed_wishes.c.wish_id.label("closed_wish"))
             .outerjoin(work_pairs, p.pair_id == r.pair_id).outerjoin(work_children, c.child_id == r.child_id)
             .outerjoin(closed_wishes, closed_wishes.c.wish_id == r.wish_id)
             .where(_within(r.region, region)).order_by(r.due_on, r.reminder_id))
    return [{"reminder_id": row.reminder_id, "rule": row.rule, "region": row.region, "pair_id": row.pair_id,
             "child_id": row.child_id, "wish_id": row.wish_id,
             "child_ids": [row.child_id] if row.child_id else list(row.child_ids or ()),
             "reference_date": row.reference_date.isoformat(),
             "due_on": row.due_on.isoformat(), "days_open": (today - row.due_on).days}
            for row in await conn.execute(query) if _still_open(row, today)]


async def overdue_contacts(conn: AsyncConnection, region: Region, today: date,
                           patience: Callable[[str], int]) -> list[dict]:
    """Active pairs of the subtree without contact for longer than their region's cadence allows
    (`patience(region)`: days, from the cadence profile the region follows), the longest overdue
    first, whether or not the reminder process has raised them yet."""
    p = work_pairs.c
    rows = await conn.execute(select(work_pairs).where(p.active, _within(p.region, region)))
    found = []
    for row in rows:
        since = max(row.formed_on, row.last_contact or row.formed_on)
        due = since + timedelta(days=patience(row.region))
        if today >= due:
            found.append({"pair_id": row.pair_id, "region": row.region, "child_ids": list(row.child_ids),
                          "last_contact": row.last_contact.isoformat() if row.last_contact else None,
                          "since": since.isoformat(), "due_on": due.isoformat(), "days_overdue": (today - due).days})
    return sorted(found, key=lambda f: (-f["days_overdue"], f["pair_id"]))


async def unpaired_at_risk(conn: AsyncConnection, region: Region, limit: int, offset: int) -> tuple[int, list[dict]]:
    """Children of the subtree with a risk tier and no active pair: red first, then orange, yellow,
    blue; the longest registered first within a tier. (total, the page)"""
    return await _unpaired(conn, region, limit, offset, work_children.c.tier.in_(TIERS))


async def unpaired(conn: AsyncConnection, region: Region, limit: int, offset: int) -> tuple[int, list[dict]]:
    """Every child of the subtree still in the programme with no active pair, assessed or not: the
    tiered first in tier order, then those not yet assessed; the longest registered first within each."""
    return await _unpaired(conn, region, limit, offset)


async def _unpaired(conn: AsyncConnection, region: Region, limit: int, offset: int, *more) -> tuple[int, list[dict]]:
    c = work_children.c
    where = (c.active_pairs <= 0, c.exited.is_(False), _within(c.region, region), *more)
    rank = case({tier: n for n, tier in enumerate(TIERS)}, value=c.tier, else_=len(TIERS))
    query = (select(work_children).where(*where)
             .order_by(rank, c.registered_on, c.registered_seq, c.child_id).limit(limit).offset(offset))
    total = (await conn.execute(select(func.count()).select_from(work_children).where(*where))).scalar_one()
    return total, [{"child_id": row.child_id, "region": row.region, "tier": row.tier,
                    "registered_on": row.registered_on.isoformat(),
                    "last_contact": row.last_contact.isoformat() if row.last_contact else None}
                   for row in await conn.execute(query)]
