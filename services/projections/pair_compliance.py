"""Read model: what each pair did and when — the facts a cadence profile is checked against.

Rows are facts, not verdicts: which activities a pair did on which day with whom, its children's
birthdays, their fulfilled wishes. The verdict for a month under a profile is worked out when asked
(services/projections/compliance_query.py), so a new or changed profile needs no rebuild.

A collective activity (at a station, by a team) counts for a pair when at least one of the pair's
children and one of its volunteers attended it, held no earlier than the pair started.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Column, Date, Integer, String, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.projections.base import metadata
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
PAIR_ACTIVITIES = {"VisitLogged": "visit", "ActivityLogged": "pair"}
COLLECTIVE = {"StationActivityLogged": "station", "TeamActivityLogged": "team"}


class PairCompliance:
    name = "pair_compliance"
    tables = (pairs, activities, members, birthdays, wishes)
    handles = frozenset({"PairFormed", "PairEnded", "ChildRegistered", "ChildTransferredIn",
                         "WishFulfilled", *PAIR_ACTIVITIES, *COLLECTIVE})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        born = RowsToWrite()  # birthdays are only ever read by queries, never within a batch
        for stored in events:
            envelope, data = stored.envelope, stored.envelope.data
            kind, day = envelope.event_type, envelope.occurred_at.date()
            if kind == "PairFormed":
                await self._formed(conn, data, day)
            elif kind == "PairEnded":
                await conn.execute(update(pairs).where(pairs.c.pair_id == data["pair_id"]).values(ended_on=day))
                await conn.execute(delete(members).where(members.c.pair_id == data["pair_id"]))
            elif kind in ("ChildRegistered", "ChildTransferredIn"):
                born.add(insert_if_absent(conn.dialect.name, birthdays),
                         {"child_id": data["child_id"], "birth_date": _date(data["birth_date"])})
            elif kind == "WishFulfilled":
                await _insert(conn, wishes, wish_id=data["wish_id"], child_id=data["child_id"], fulfilled_on=day)
            elif kind in PAIR_ACTIVITIES:
                await self._pair_activity(conn, data, PAIR_ACTIVITIES[kind])
            else:
                await self._collective(conn, data, COLLECTIVE[kind])
        await born.flush(conn)

    async def _formed(self, conn: AsyncConnection, data: dict, day: date) -> None:
        await _insert(conn, pairs, pair_id=data["pair_id"], region=data["region"], mode=data["mode"],
                      child_ids=list(data["child_ids"]), formed_on=day, started_on=day)
        for role, ids in (("child", data["child_ids"]), ("volunteer", data["volunteer_ids"])):
            for person in ids:
                await _insert(conn, members, person_id=person, pair_id=data["pair_id"], role=role)

    async def _pair_activity(self, conn: AsyncConnection, data: dict, source: str) -> None:
        await self._done(conn, data["pair_id"], data, data["child_ids"], source)
        # A pair that did something before its record was made was working from then on.
        held_on = _held_on(data)
        await conn.execute(update(pairs).where(pairs.c.pair_id == data["pair_id"], pairs.c.started_on > held_on)
                           .values(started_on=held_on))

    async def _done(self, conn: AsyncConnection, pair_id: str, data: dict, children, source: str) -> None:
        await _insert(conn, activities, pair_id=pair_id, activity_id=data.get("activity_id") or data["visit_id"],
                      held_on=_held_on(data), kind=data["kind"],
                      child_ids=sorted(children), guardians=data.get("guardians_present", 0),
                      evidence=len(data.get("evidence", ())), source=source)

    async def _collective(self, conn: AsyncConnection, data: dict, source: str) -> None:
        present = {*data["child_ids"], *data["volunteer_ids"]}
        if not present:
            return
        held_on = _held_on(data)
        rows = await conn.execute(
            select(members.c.pair_id, members.c.person_id, members.c.role)
            .join(pairs, pairs.c.pair_id == members.c.pair_id)
            .where(members.c.person_id.in_(sorted(present)), pairs.c.started_on <= held_on))
        found: dict[str, dict[str, set[str]]] = {}
        for pair_id, person, role in rows:
            found.setdefault(pair_id, {"child": set(), "volunteer": set()})[role].add(person)
        for pair_id, who in sorted(found.items()):
            if who["child"] and who["volunteer"]:
                await self._done(conn, pair_id, data, who["child"], source)


async def _insert(conn: AsyncConnection, table: Table, **row) -> None:
    # An event applied again (a replay of part of the log) finds its row and leaves it.
    await conn.execute(insert_if_absent(conn.dialect.name, table), row)


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _held_on(data: dict) -> date:
    return _date(data["held_on"] if "held_on" in data else data["visited_on"])  # a VisitLogged
