"""Read model: the federation's figures as a ledger of (leaf region, day, figure, delta).

Every event adds deltas on the day the thing happened — the event's business day (`registered_on`,
`held_on`, `formed_on`, `opened_on`, …: contracts.business_days) where it has one, else the day it
was recorded — to the
region that owns it. A region's figure is the sum over the codes under its prefix; as of a day, the
sum of the rows up to that day; a stock moved between regions (a child's transfer) is subtracted in
one and added in the other on its day. Every delta also counts to the roll-ups of the regions
above its leaf (`levels`), which the queries read instead of summing the rows below. The rows are
added to (upserts that sum), in the projector's transaction with its checkpoint, so applying a
batch is exactly-once in effect; and a key stepped to a net zero keeps its row, so the rows do not
depend on how the log was cut into batches.

A batch runs in three steps: read the standing its events need (one query per table and 500 ids),
apply the pure rules (`people`, `care`, `reminders`) in memory, write back what changed.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from sqlalchemy import Table, bindparam, case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity.care import ActivityLogged, StationActivityLogged, TeamActivityLogged, VisitLogged
from contracts.activity.wishes import WishCancelled, WishFulfilled
from contracts.business_days import day_of_event
from contracts.intake.child_file import (ChildExited, ChildPlaceCompleted, ChildTransferredIn,
                                         ChildTransferredOut)
from contracts.activity.concerns import ChildRiskAssessed
from contracts.pairing.pairs import ChildJoinedPair, ChildLeftPair, PairEnded, PairFormed
from contracts.activity.reminders import ReminderRaised
from contracts.intake.volunteers import VolunteerCertified, VolunteerTrained, VolunteerWithdrew
from services.projections.figures import care, people, reminders, teams
from services.projections.figures.arithmetic import Deltas
from services.projections.figures.levels import LEAF, parent_length, rolled_up
from services.projections.figures.state import Batch, Fact
from services.projections.figures.tables import STANDING, TABLES, ahead, ledger, rollup, service, totals
from services.projections.figures.versions import add_missing_columns
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent
from services.shared.many_rows import execute_many

APPLY = {**people.APPLY, **care.APPLY, **teams.APPLY, ReminderRaised: reminders.raised}
CHUNK = 500
UPGRADE_CHUNK = 50_000  # ledger rows rolled up at a time when a ledger without roll-ups is upgraded
CHILD_EVENTS = (ChildJoinedPair, ChildLeftPair, ChildRiskAssessed, ChildTransferredOut, ChildTransferredIn,
                ChildExited, ChildPlaceCompleted)
ACTIVITIES = (VisitLogged, ActivityLogged, StationActivityLogged, TeamActivityLogged)
OF_PAIR = (VisitLogged, ActivityLogged, PairEnded)
OF_VOLUNTEER = (VolunteerTrained, VolunteerCertified, VolunteerWithdrew, *teams.APPLY)


class FigureLedger:
    name = "figure_ledger"
    tables = TABLES
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        facts = [Fact(s.event, s.envelope.region, day_of_event(s.event, recorded), recorded)
                 for s in events for recorded in (s.envelope.occurred_at.date(),)]
        batch = Batch()
        await _read(conn, batch, facts)
        for fact in facts:
            batch.recorded = fact.recorded or fact.day
            APPLY[type(fact.event)](batch, fact)
        await _write(conn, batch)

    async def upgrade(self, conn: AsyncConnection) -> bool:
        """True: figures this version counts anew must be rebuilt from the log (`versions`)."""
        await roll_up_existing_ledger(conn)
        await total_villages_of_existing_ledger(conn)
        return await add_missing_columns(conn)


def needs(facts: list[Fact]) -> dict[str, set[str]]:
    """The ids of the standing rows the facts read, by the batch's attribute; 'subjects': whose
    open reminders they may close."""
    need: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        e = fact.event
        if not _reads_rows(type(e)):  # most of a log: registrations, which read no standing row
            continue
        if isinstance(e, CHILD_EVENTS):
            need["children"].add(e.child_id)
            need["subjects"].add(e.child_id)
        if isinstance(e, (ChildJoinedPair, ChildLeftPair)):
            need["pairs"].add(e.pair_id)
        if isinstance(e, PairFormed):  # counted from its children's registration at the earliest
            need["children"].update(e.child_ids)
        if isinstance(e, ACTIVITIES):
            need["children"].update(e.child_ids)
            need["subjects"].update(e.child_ids)
            need["volunteers"].update(getattr(e, "volunteer_ids", ()))
        if isinstance(e, OF_PAIR):
            need["pairs"].add(e.pair_id)
            need["subjects"].add(e.pair_id)
        if isinstance(e, OF_VOLUNTEER):
            need["volunteers"].add(e.volunteer_id)
        if isinstance(e, (WishFulfilled, WishCancelled)):
            need["subjects"].add(e.wish_id)
        if isinstance(e, ReminderRaised):
            for attribute, value in (("pairs", e.pair_id), ("children", e.child_id), ("closed_wishes", e.wish_id)):
                if value is not None:
                    need[attribute].add(value)
    return need


@functools.cache
def _reads_rows(cls: type) -> bool:
    return issubclass(cls, (*CHILD_EVENTS, PairFormed, *ACTIVITIES, *OF_PAIR, *OF_VOLUNTEER, WishFulfilled,
                            WishCancelled, ReminderRaised))


def visit_volunteers(facts: list[Fact], batch: Batch) -> set[str]:
    """The volunteers of the pairs visited: a visit names none, its pair's are present."""
    formed = {f.event.pair_id: f.event for f in facts if isinstance(f.event, PairFormed)}
    found: set[str] = set()
    for fact in facts:
        if isinstance(fact.event, VisitLogged):
            pair_id = fact.event.pair_id
            if pair_id in formed:
                found.update(formed[pair_id].volunteer_ids)
            elif (pair := batch.pairs.get(pair_id)) is not None:
                found.update(pair["volunteer_ids"])
    return found


async def _read(conn: AsyncConnection, batch: Batch, facts: list[Fact]) -> None:
    need = needs(facts)
    for attribute in ("children", "pairs", "closed_wishes"):
        await _load(conn, batch, attribute, need.get(attribute, ()))
    await _load(conn, batch, "volunteers", need.get("volunteers", set()) | visit_volunteers(facts, batch))
    await _load(conn, batch, "reminders", need.get("subjects", ()), by="subject_id")


async def _load(conn: AsyncConnection, batch: Batch, attribute: str, ids, by: str | None = None) -> None:
    """The rows of `ids` (by key, or by the column `by`: then only reminders still open)."""
    table, key = STANDING[attribute]
    ids, rows, query = sorted(ids), getattr(batch, attribute), _standing(table, by or key, bool(by))
    for start in range(0, len(ids), CHUNK):
        found = await conn.execute(query, {"ids": ids[start:start + CHUNK]})
        rows.loaded((dict(row._mapping) for row in found), key)


@functools.cache
def _standing(table: Table, column: str, open_only: bool):
    """Built once per table: building it per batch cost a live batch of one event more than running it."""
    where = [table.c.closed_on.is_(None)] if open_only else []
    return select(table).where(table.c[column].in_(bindparam("ids", expanding=True)), *where)


async def _write(conn: AsyncConnection, batch: Batch) -> None:
    dialect = conn.dialect.name
    for attribute, (table, key) in STANDING.items():
        written = getattr(batch, attribute).written()
        if written:
            await execute_many(conn, _replace(dialect, table, key), written)
    if rows := batch.deltas.rows():
        await execute_many(conn, _add(dialect, ledger, ("region", "day", "figure"), ("delta",)), rows)
        # The roll-ups in the same transaction: they and the ledger move together, exactly once.
        await _roll_up(conn, batch.deltas)
    if rows := batch.service_rows():
        await execute_many(conn, _add(dialect, service, ("holder", "holder_id", "day"), ("minutes", "activities")), rows)


async def _roll_up(conn: AsyncConnection, deltas: Deltas) -> None:
    by_day, running, later = rolled_up(deltas)
    await execute_many(conn, _add(conn.dialect.name, rollup, ("parent", "prefix", "day", "figure"), ("delta",)), by_day)
    await execute_many(conn, _totalled(conn.dialect.name), running)
    await execute_many(conn, _add(conn.dialect.name, ahead, ("parent", "day", "prefix", "figure"), ("delta",)), later)


async def roll_up_existing_ledger(conn: AsyncConnection) -> bool:
    """A ledger kept by a version without roll-ups gets them from its own rows, once (their tables
    are new and empty): figures stay right without rebuilding the read model from the log. Run at
    start, before the projector applies a batch. True if it filled them."""
    if (await conn.execute(select(totals.c.figure).limit(1))).first() is not None:
        return False
    if (await conn.execute(select(ledger.c.figure).limit(1))).first() is None:
        return False  # a new ledger: its batches roll up as they come
    rows = await conn.stream(select(ledger.c.region, ledger.c.day, ledger.c.figure, ledger.c.delta))
    async for part in rows.partitions(UPGRADE_CHUNK):
        deltas = Deltas()
        for region, day, figure, delta in part:
            deltas.add(region, day, figure, delta)
        await _roll_up(conn, deltas)
    return True


async def total_villages_of_existing_ledger(conn: AsyncConnection) -> bool:
    """A ledger rolled up by a version that kept running totals down to the town only gets its
    villages' from its own rows, once, as its batches would have made them. True if it filled them."""
    if (await conn.execute(select(ledger.c.figure).limit(1))).first() is None:
        return False
    village = func.length(totals.c.prefix) == LEAF
    if (await conn.execute(select(totals.c.figure).where(village).limit(1))).first() is not None:
        return False
    region = ledger.c.region
    sums = (select(func.substr(region, 1, parent_length(LEAF)), region, ledger.c.figure,
                   func.sum(ledger.c.delta), func.max(ledger.c.day))
            .group_by(region, ledger.c.figure))
    await conn.execute(insert(totals).from_select(["parent", "prefix", "figure", "total", "last_day"], sums))
    return True


@functools.cache
def _replace(dialect: str, table, key: str):
    statement = upsert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=[key], set_={c.name: statement.excluded[c.name] for c in table.c if c.name != key})


@functools.cache
def _totalled(dialect: str):
    """Running totals: the sum, and the latest day summed in but not ahead (a back-dated delta
    leaves it)."""
    statement = upsert(dialect, totals)
    later = case((statement.excluded.last_day > totals.c.last_day, statement.excluded.last_day),
                 else_=totals.c.last_day)
    return statement.on_conflict_do_update(index_elements=["parent", "prefix", "figure"],
                                           set_={"total": totals.c.total + statement.excluded.total,
                                                 "last_day": later})


@functools.cache
def _add(dialect: str, table, keys: tuple[str, ...], sums: tuple[str, ...]):
    statement = upsert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: table.c[name] + statement.excluded[name] for name in sums})
