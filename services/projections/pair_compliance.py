"""Read model: what each pair did and when — the facts a cadence profile is checked against.

Rows are facts, not verdicts: which activities a pair did on which day with whom, its children's
birthdays, their fulfilled wishes. The verdict for a month under a profile is worked out when asked
(services/activity/care/compliance_report.py), so a new or changed profile needs no rebuild.

A collective activity (at a station, by a team) counts for a pair when at least one of the pair's
children and one of its volunteers attended it, held no earlier than the pair started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import JSON, Column, Date, Integer, String, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity import VisitLogged, WishFulfilled
from contracts.care import ActivityLogged, StationActivityLogged, TeamActivityLogged
from contracts.child_file import ChildTransferredIn
from contracts.intake import ChildRegistered
from contracts.pairing import PairEnded, PairFormed
from services.shared.follower.projection import metadata
from services.shared.db import RowsToWrite, insert_if_absent
from services.shared.eventlog import StoredEvent

pairs = Table(
    "compliance_pairs", metadata,
    Column("pair_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("mode", String(16), nullable=False),
    Column("child_ids", JSON, nullable=False),
    Column("formed_on", Date, nullable=False),
    Column("started_on", Date, nullable=False),  # the pairing, or an earlier first activity
    Column("ended_on", Date),
)
activities = Table(
    "compliance_activities", metadata,
    Column("pair_id", String(64), primary_key=True),
    Column("activity_id", String(64), primary_key=True),
    Column("held_on", Date, nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("child_ids", JSON, nullable=False),  # the pair's children present
    Column("guardians", Integer, nullable=False),
    Column("evidence", Integer, nullable=False),
    Column("source", String(16), nullable=False),  # visit, pair, station or team
)
members = Table(  # who is in which active pair: to credit collective activities
    "compliance_members", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("pair_id", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
)
birthdays = Table(
    "compliance_children", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("birth_date", Date, nullable=False),
)
wishes = Table(
    "compliance_wishes", metadata,
    Column("wish_id", String(64), primary_key=True),
    Column("child_id", String(64), nullable=False, index=True),
    Column("fulfilled_on", Date, nullable=False),
)

CareActivity = ActivityLogged | StationActivityLogged | TeamActivityLogged


@dataclass(frozen=True)
class _Done:
    """An activity as a compliance row records it, whether a visit or a care activity logged it."""

    activity_id: str
    held_on: date
    kind: str
    guardians: int
    evidence: int


def _visit(event: VisitLogged) -> _Done:  # a visit names no guardians and has no evidence
    return _Done(event.visit_id, event.visited_on, event.kind.value, 0, 0)


def _activity(event: CareActivity) -> _Done:
    return _Done(event.activity_id, event.held_on, event.kind.value, event.guardians_present, len(event.evidence))


# Every handler gets the batch's connection, the birthdays held back to be written together at the
# end of the batch (only queries ever read them), the event, and the day it was recorded.
async def _formed(conn: AsyncConnection, born: RowsToWrite, event: PairFormed, day: date) -> None:
    formed_on = event.formed_on or day  # the day it was formed, which may be before it was recorded
    await _insert(conn, pairs, pair_id=event.pair_id, region=event.region, mode=event.mode.value,
                  child_ids=list(event.child_ids), formed_on=formed_on, started_on=formed_on)
    for role, ids in (("child", event.child_ids), ("volunteer", event.volunteer_ids)):
        for person in ids:
            await _insert(conn, members, person_id=person, pair_id=event.pair_id, role=role)


async def _ended(conn: AsyncConnection, born: RowsToWrite, event: PairEnded, day: date) -> None:
    await conn.execute(update(pairs).where(pairs.c.pair_id == event.pair_id).values(ended_on=day))
    await conn.execute(delete(members).where(members.c.pair_id == event.pair_id))


async def _child_on_file(conn: AsyncConnection, born: RowsToWrite, event: ChildRegistered | ChildTransferredIn,
                         day: date) -> None:
    born.add(insert_if_absent(conn.dialect.name, birthdays),
             {"child_id": event.child_id, "birth_date": event.birth_date})


async def _wish_fulfilled(conn: AsyncConnection, born: RowsToWrite, event: WishFulfilled, day: date) -> None:
    await _insert(conn, wishes, wish_id=event.wish_id, child_id=event.child_id, fulfilled_on=day)


async def _visit_logged(conn: AsyncConnection, born: RowsToWrite, event: VisitLogged, day: date) -> None:
    await _pair_activity(conn, event.pair_id, event.child_ids, _visit(event), "visit")


async def _activity_logged(conn: AsyncConnection, born: RowsToWrite, event: ActivityLogged, day: date) -> None:
    await _pair_activity(conn, event.pair_id, event.child_ids, _activity(event), "pair")


async def _station_activity(conn: AsyncConnection, born: RowsToWrite, event: StationActivityLogged, day: date) -> None:
    await _collective(conn, event, "station")


async def _team_activity(conn: AsyncConnection, born: RowsToWrite, event: TeamActivityLogged, day: date) -> None:
    await _collective(conn, event, "team")


async def _pair_activity(conn: AsyncConnection, pair_id: str, child_ids, done: _Done, source: str) -> None:
    await _record(conn, pair_id, done, child_ids, source)
    # A pair that did something before its record was made was working from then on.
    await conn.execute(update(pairs).where(pairs.c.pair_id == pair_id, pairs.c.started_on > done.held_on)
                       .values(started_on=done.held_on))


async def _collective(conn: AsyncConnection, event: StationActivityLogged | TeamActivityLogged, source: str) -> None:
    present = {*event.child_ids, *event.volunteer_ids}
    if not present:
        return
    done = _activity(event)
    rows = await conn.execute(
        select(members.c.pair_id, members.c.person_id, members.c.role)
        .join(pairs, pairs.c.pair_id == members.c.pair_id)
        .where(members.c.person_id.in_(sorted(present)), pairs.c.started_on <= done.held_on))
    found: dict[str, dict[str, set[str]]] = {}
    for pair_id, person, role in rows:
        found.setdefault(pair_id, {"child": set(), "volunteer": set()})[role].add(person)
    for pair_id, who in sorted(found.items()):
        if who["child"] and who["volunteer"]:
            await _record(conn, pair_id, done, who["child"], source)


async def _record(conn: AsyncConnection, pair_id: str, done: _Done, children, source: str) -> None:
    await _insert(conn, activities, pair_id=pair_id, activity_id=done.activity_id, held_on=done.held_on,
                  kind=done.kind, child_ids=sorted(children), guardians=done.guardians,
                  evidence=done.evidence, source=source)


async def _insert(conn: AsyncConnection, table: Table, **row) -> None:
    # An event applied again (a replay of part of the log) finds its row and leaves it.
    await conn.execute(insert_if_absent(conn.dialect.name, table), row)


APPLY = {
    PairFormed: _formed, PairEnded: _ended, ChildRegistered: _child_on_file, ChildTransferredIn: _child_on_file,
    WishFulfilled: _wish_fulfilled, VisitLogged: _visit_logged, ActivityLogged: _activity_logged,
    StationActivityLogged: _station_activity, TeamActivityLogged: _team_activity,
}


class PairCompliance:
    name = "pair_compliance"
    tables = (pairs, activities, members, birthdays, wishes)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        born = RowsToWrite()  # birthdays are only ever read by queries, never within a batch
        for stored in events:
            await APPLY[type(stored.event)](conn, born, stored.event, stored.envelope.occurred_at.date())
        await born.flush(conn)
