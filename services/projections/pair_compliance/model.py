"""Read model: what each pair did and when — the facts a cadence profile is checked against.

Rows are facts, not verdicts: which activities a pair did on which day with whom, its children's
birthdays, their fulfilled wishes. The verdict for a month under a profile is worked out when asked
(`report.py` beside it), so a new or changed profile needs no rebuild.

A collective activity (at a station, by a team) counts for a pair when at least one of the pair's
children and one of its volunteers attended it, held no earlier than the pair started.
Where a pair's facts change is recorded by region too (`changes.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import JSON, Column, Date, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity.care import ActivityLogged, StationActivityLogged, TeamActivityLogged, VisitLogged
from contracts.activity.wishes import WishFulfilled
from contracts.business_days import day_of_event
from contracts.intake.child_file import ChildTransferredIn
from contracts.intake.registration import ChildRegistered
from contracts.pairing.pairs import PairEnded, PairFormed
from services.projections.batch_rows import Rows
from services.projections.pair_compliance.changes import changes, record_changes
from services.shared.follower.applier import read_checkpoints
from services.shared.follower.projection import metadata
from services.shared.db import RowsToWrite, insert_if_absent
from services.shared.eventlog import StoredEvent
from services.shared.many_rows import execute_many

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
child_pairs = Table(  # every pair a child was ever in, ended ones too: whose facts a wish changes
    "compliance_child_pairs", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("pair_id", String(64), primary_key=True),
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


class _Batch:
    """The pairs and memberships a batch's events touch, read before them and changed in memory in
    their order (batch_rows.py); the rows only ever added and never read within a batch — activities,
    wishes, birthdays — held back and written together at its end."""

    def __init__(self, dialect: str) -> None:
        self.pairs = Rows(pairs, ("region", "started_on", "ended_on"))
        self.members = Rows(members, ("role",))  # keyed (person, pair): a person's memberships first
        self.child_pairs = Rows(child_pairs, ())
        self.added, self.dialect = RowsToWrite(), dialect
        self.seq = 0  # of the event being applied
        self.changed: dict[str, int] = {}  # pair id → the last event in the batch that changed its facts

    def change(self, pair_id: str) -> None:
        self.changed[pair_id] = self.seq

    def insert(self, table: Table, **row) -> None:
        # An event applied again (a replay of part of the log) finds its row and leaves it.
        self.added.add(insert_if_absent(self.dialect, table), row)

    async def read(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        present = {p for s in events if isinstance(s.event, COLLECTIVE) for p in _present(s.event)}
        formed_or_ended = {s.event.pair_id for s in events if isinstance(s.event, (PairFormed, PairEnded))}
        await self.members.read(conn, "person_id", present)
        await self.members.read(conn, "pair_id", formed_or_ended)  # an ending deletes them all
        await self.child_pairs.read(conn, "child_id", {s.event.child_id for s in events
                                                       if isinstance(s.event, WishFulfilled)})
        # A collective activity is checked against the start of every pair its people are in.
        await self.pairs.read(conn, "pair_id", {*formed_or_ended, *(r["pair_id"] for r in self.members.where()),
                                                *(r["pair_id"] for r in self.child_pairs.where()),
                                                *(s.event.pair_id for s in events if isinstance(s.event, BY_PAIR))})

    async def write(self, conn: AsyncConnection) -> None:
        await self.pairs.write(conn)
        await self.members.write(conn)
        await self.child_pairs.write(conn)
        await self.added.flush(conn)
        # An activity of a pair not on file changes no figure.
        await record_changes(conn, [(pair["region"], seq) for pair_id, seq in self.changed.items()
                                    if (pair := self.pairs.get(pair_id)) is not None])


# Every handler gets the batch, the event, and the day it happened (its business day, else the day
# it was recorded: contracts.business_days).
def _formed(batch: _Batch, event: PairFormed, day: date) -> None:
    formed_on = event.formed_on or day  # the day it was formed, which may be before it was recorded
    batch.pairs.add(dict(pair_id=event.pair_id, region=event.region, mode=event.mode.value,
                         child_ids=list(event.child_ids), formed_on=formed_on, started_on=formed_on, ended_on=None))
    for role, ids in (("child", event.child_ids), ("volunteer", event.volunteer_ids)):
        for person in ids:
            batch.members.add({"person_id": person, "pair_id": event.pair_id, "role": role})
    for child in event.child_ids:
        if batch.child_pairs.get((child, event.pair_id)) is None:
            batch.child_pairs.add({"child_id": child, "pair_id": event.pair_id})
    batch.change(event.pair_id)


def _ended(batch: _Batch, event: PairEnded, day: date) -> None:
    batch.pairs.set(event.pair_id, ended_on=day)
    batch.change(event.pair_id)
    for row in batch.members.where(pair_id=event.pair_id):
        batch.members.delete((row["person_id"], row["pair_id"]))


def _child_on_file(batch: _Batch, event: ChildRegistered | ChildTransferredIn, day: date) -> None:
    batch.insert(birthdays, child_id=event.child_id, birth_date=event.birth_date)


def _wish_fulfilled(batch: _Batch, event: WishFulfilled, day: date) -> None:
    batch.insert(wishes, wish_id=event.wish_id, child_id=event.child_id, fulfilled_on=day)
    for row in batch.child_pairs.having(event.child_id):
        batch.change(row["pair_id"])


def _visit_logged(batch: _Batch, event: VisitLogged, day: date) -> None:
    _pair_activity(batch, event.pair_id, event.child_ids, _visit(event), "visit")


def _activity_logged(batch: _Batch, event: ActivityLogged, day: date) -> None:
    _pair_activity(batch, event.pair_id, event.child_ids, _activity(event), "pair")


def _station_activity(batch: _Batch, event: StationActivityLogged, day: date) -> None:
    _collective(batch, event, "station")


def _team_activity(batch: _Batch, event: TeamActivityLogged, day: date) -> None:
    _collective(batch, event, "team")


def _pair_activity(batch: _Batch, pair_id: str, child_ids, done: _Done, source: str) -> None:
    _record(batch, pair_id, done, child_ids, source)
    # A pair that did something before its record was made was working from then on.
    if (pair := batch.pairs.get(pair_id)) is not None and pair["started_on"] > done.held_on:
        batch.pairs.set(pair_id, started_on=done.held_on)


def _present(event: StationActivityLogged | TeamActivityLogged) -> set[str]:
    return {*event.child_ids, *event.volunteer_ids}


def _collective(batch: _Batch, event: StationActivityLogged | TeamActivityLogged, source: str) -> None:
    done = _activity(event)
    found: dict[str, dict[str, set[str]]] = {}
    for person in sorted(_present(event)):
        for member in batch.members.having(person):
            pair = batch.pairs.get(member["pair_id"])
            if pair is not None and pair["started_on"] <= done.held_on:
                found.setdefault(member["pair_id"], {"child": set(), "volunteer": set()})[member["role"]].add(person)
    for pair_id, who in sorted(found.items()):
        if who["child"] and who["volunteer"]:
            _record(batch, pair_id, done, who["child"], source)


def _record(batch: _Batch, pair_id: str, done: _Done, children, source: str) -> None:
    batch.insert(activities, pair_id=pair_id, activity_id=done.activity_id, held_on=done.held_on, kind=done.kind,
                 child_ids=sorted(children), guardians=done.guardians, evidence=done.evidence, source=source)
    batch.change(pair_id)


APPLY = {
    PairFormed: _formed, PairEnded: _ended, ChildRegistered: _child_on_file, ChildTransferredIn: _child_on_file,
    WishFulfilled: _wish_fulfilled, VisitLogged: _visit_logged, ActivityLogged: _activity_logged,
    StationActivityLogged: _station_activity, TeamActivityLogged: _team_activity,
}
COLLECTIVE = (StationActivityLogged, TeamActivityLogged)
BY_PAIR = (VisitLogged, ActivityLogged)


class PairCompliance:
    name = "pair_compliance"
    tables = (pairs, activities, members, birthdays, wishes, child_pairs, changes)
    uncompared = (changes,)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        batch = _Batch(conn.dialect.name)
        await batch.read(conn, events)
        for stored in events:
            batch.seq = stored.seq
            event = stored.event
            APPLY[type(event)](batch, event, day_of_event(event, stored.envelope.occurred_at.date()))
        await batch.write(conn)

    async def upgrade(self, conn: AsyncConnection) -> None:
        """A read model made before `compliance_child_pairs` and `compliance_changes` gets them from
        its pairs: every pair's children, and a change under every pair's region as of now."""
        if (await conn.execute(select(func.count()).select_from(changes))).scalar_one():
            return
        found = (await conn.execute(select(pairs.c.pair_id, pairs.c.region, pairs.c.child_ids))).all()
        if not found:
            return
        rows = [{"child_id": child, "pair_id": pair_id} for pair_id, _, children in found
                for child in sorted(set(children))]
        await execute_many(conn, insert_if_absent(conn.dialect.name, child_pairs), rows)
        now = (await read_checkpoints(conn, [self.name]))[self.name]
        await record_changes(conn, [(region, now) for region in sorted({region for _, region, _ in found})])
