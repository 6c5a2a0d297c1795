"""The figure ledger's roll-ups, on SQLite and on PostgreSQL: every rolled-up level's running totals
(and the last day summed in) and by-day rows equal the sums of the leaf rows under it, and the queries that read them answer as the
sums over the ledger's rows under the region's code range did, on every day — after a transfer
between provinces, an event back-dated before others already applied, and one dated ahead of
today, and a birthday reminder raised today for a birthday ahead: a read as of today takes the
running totals less the steps dated later, in one statement, while any settled step ahead of the
day makes it fall back to the rows by day."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.intake.child_file import ChildTransferredIn, ChildTransferredOut
from contracts.envelope import Actor, Envelope, Event, FederationLevel
from contracts.intake.registration import ChildCategory, ChildRegistered, Sex
from contracts.privacy import Sealed
from contracts.regions import parse_region
from contracts.activity.reminders import ReminderRaised, ReminderRule
from services.projections.figures.arithmetic import code_range
from services.projections.figures.catalogue import complete
from services.projections.figures.ledger import FigureLedger
from services.projections.figures.levels import BY_DAY, NOTHING_SETTLED, TOTALS, parent_of
from services.projections.figures.queries import (
    figures_as_of,
    figures_by_subregion,
    figures_with_subregions,
    month_by_subregion,
    series,
    sub_rows,
)
from services.projections.figures.tables import TABLES, ahead, ledger, rollup, totals
from services.shared.eventlog import StoredEvent
from tests.log.test_projections import read_db  # noqa: F401  (fixture: SQLite and PostgreSQL)

HZ, CH, SC, GZ_OFFICE = "440105001101", "440117001001", "510623100004", "440100000000"
SEALED = Sealed(key_id="c", nonce="AA==", ciphertext="eA==")
ACTOR = Actor(operator_id="t", level=FederationLevel.national, region="CN")
START, MOVED_ON, BACK, TODAY = date(2026, 3, 1), date(2026, 4, 10), date(2026, 2, 14), date(2026, 5, 31)
AHEAD = TODAY + timedelta(days=3)
CODES = ("CN", "44", "4401", "440105", "440105001", HZ, "440117", "440117001", CH, "440100", "440100000",
         GZ_OFFICE, "51", "5106", "510623", "510623100", SC, "11")


def stored(seq: int, event: Event, region: str, day: date) -> StoredEvent:
    at = datetime.combine(day, time(9), UTC)
    return StoredEvent(seq, f"t.{seq}", Envelope(
        event_id=uuid4(), event_type=event.type_name(), schema_version=event.schema_version,
        aggregate_type=event.aggregate_type, aggregate_id=event.aggregate_id, aggregate_version=1,
        occurred_at=at, recorded_at=at, actor=ACTOR, region=region, correlation_id="c", causation_id="c",
        data=event.model_dump(mode="json")))


def registered(child_id: str, region: str) -> ChildRegistered:
    return ChildRegistered(child_id=child_id, region=region, sex=Sex.female, birth_date=date(2016, 1, 1),
                           category=ChildCategory.left_behind, subtype=None, personal=SEALED,
                           guardian_relation=None, guardian=None)


def the_log() -> list[StoredEvent]:
    """Children day by day in Guangzhou, Chengdu's county and a city office; one moves from
    Guangdong to Sichuan; one registered back-dated to February after the rest; one dated ahead."""
    events = [(registered(f"c{i}", region), region, START + timedelta(days=i))
              for i, region in enumerate([HZ, HZ, CH, SC, GZ_OFFICE, CH, SC, HZ] * 3)]
    events += [(ChildTransferredOut(child_id="c0", from_region=HZ, to_region=SC), HZ, MOVED_ON),
               (ChildTransferredIn(child_id="c0", region=SC, from_region=HZ, sex=Sex.female,
                                   birth_date=date(2016, 1, 1), category=ChildCategory.left_behind, subtype=None,
                                   grade=None, personal=SEALED, guardian_relation=None, guardian=None,
                                   active_pair_ids=()), SC, MOVED_ON),
               (registered("late", CH), CH, BACK),
               (birthday_reminder("c1", HZ), HZ, TODAY),
               (registered("ahead", SC), SC, AHEAD)]
    return [stored(seq, event, region, day) for seq, (event, region, day) in enumerate(events, start=1)]


def birthday_reminder(child_id: str, region: str) -> ReminderRaised:
    """Raised today for a birthday in two days: open from its due day, closed the day after it."""
    return ReminderRaised(reminder_id=f"birthday-{child_id}", rule=ReminderRule.birthday_coming, region=region,
                          pair_id=None, child_id=child_id, wish_id=None, reference_date=TODAY + timedelta(days=2),
                          due_on=TODAY + timedelta(days=1))


async def applied(engine: AsyncEngine, events: list[StoredEvent], seed: int) -> None:
    """The events in batches cut at random, each in its own transaction, as the projector does."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: TABLES[0].metadata.create_all(c, tables=list(TABLES)))
    rng, start = random.Random(seed), 0
    while start < len(events):
        end = start + rng.randint(1, 7)
        async with engine.begin() as conn:
            await FigureLedger().apply(conn, events[start:end])
        start = end


# What the ledger's queries answered before the roll-ups: sums over the leaf rows in the range.
async def leaf_sums(conn: AsyncConnection, prefix: str, day: date) -> dict:
    low, high = code_range(prefix)
    rows = await conn.execute(select(ledger.c.figure, func.sum(ledger.c.delta))
                              .where(ledger.c.region.between(low, high), ledger.c.day <= day)
                              .group_by(ledger.c.figure))
    return complete({figure: int(total) for figure, total in rows})


async def leaf_parts(conn: AsyncConnection, code: str, day: date) -> list[dict]:
    region = parse_region(code)
    length = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}.get(len(region.prefix))
    if length is None:
        return []
    low, high = code_range(region.prefix)
    part = func.substr(ledger.c.region, 1, length)
    found: dict[str, dict] = {}
    for sub, figure, total in await conn.execute(
            select(part, ledger.c.figure, func.sum(ledger.c.delta))
            .where(ledger.c.region.between(low, high), ledger.c.day <= day).group_by(part, ledger.c.figure)):
        found.setdefault(sub, {})[figure] = int(total)
    return sub_rows(region, found)


async def test_every_levels_totals_and_rows_by_day_are_the_sums_of_its_leaves(read_db) -> None:  # noqa: F811
    await applied(read_db, the_log(), seed=1)
    async with read_db.connect() as conn:
        leaves = (await conn.execute(select(ledger))).all()
        by_total: dict[tuple, int] = {}
        last_day: dict[tuple, date] = {}
        by_day: dict[tuple, int] = {}
        later: dict[tuple, int] = {}
        for region, day, figure, delta in leaves:
            # The reminder's steps are the only ones dated after their event: each counts ahead.
            dated_later = figure.startswith("reminders_")
            for length in TOTALS:
                key = (parent_of(region[:length]), region[:length], figure)
                by_total[key] = by_total.get(key, 0) + delta
                last_day[key] = max(last_day.get(key, NOTHING_SETTLED), NOTHING_SETTLED if dated_later else day)
                if length in BY_DAY:
                    by_day[(*key[:2], day, figure)] = by_day.get((*key[:2], day, figure), 0) + delta
                if dated_later:
                    later[(key[0], day, key[1], figure)] = later.get((key[0], day, key[1], figure), 0) + delta
        stored = (await conn.execute(select(totals))).all()
        assert {tuple(r[:3]): r.total for r in stored} == by_total
        assert {tuple(r[:3]): r.last_day for r in stored} == last_day  # the back-dated one leaves it
        assert dict((tuple(r[:4]), r[4]) for r in await conn.execute(select(rollup))) == by_day
        assert dict((tuple(r[:4]), r[4]) for r in await conn.execute(select(ahead))) == later
        assert later[("", TODAY + timedelta(days=1), "44", "reminders_open")] == 1
    national = by_total[("*", "", "children")]
    assert national == 26 and by_total[("", "44", "children")] == 18 and by_total[("", "51", "children")] == 8


async def test_the_queries_answer_the_leaf_sums_on_every_day_whatever_the_batches(read_db) -> None:  # noqa: F811
    await applied(read_db, the_log(), seed=2)
    days = (BACK - timedelta(days=1), BACK, START, MOVED_ON - timedelta(days=1), MOVED_ON, TODAY,
            TODAY + timedelta(days=1), TODAY + timedelta(days=2), AHEAD)
    async with read_db.connect() as conn:
        for day in days:
            for code in CODES:
                region = parse_region(code)
                expected, parts = await leaf_sums(conn, region.prefix, day), await leaf_parts(conn, code, day)
                assert await figures_as_of(conn, region, day) == expected, (code, day)
                assert await figures_by_subregion(conn, region, day) == parts, (code, day)
                assert await figures_with_subregions(conn, region, day) == (expected, parts), (code, day)
        gd, sc = parse_region("44"), parse_region("51")
        # The move: out of Guangdong, into Sichuan, on its day; the child dated ahead counts from then.
        before, after = MOVED_ON - timedelta(days=1), MOVED_ON
        assert (await figures_as_of(conn, gd, after))["children"] == (await figures_as_of(conn, gd, before))["children"] - 1
        assert (await figures_as_of(conn, sc, after))["children"] == (await figures_as_of(conn, sc, before))["children"] + 1
        assert (await figures_as_of(conn, sc, TODAY))["children"] + 1 == (await figures_as_of(conn, sc, AHEAD))["children"]
        assert (await figures_as_of(conn, parse_region("440117"), BACK))["children"] == 1  # the back-dated one


async def test_a_read_as_of_today_with_a_reminder_due_ahead_takes_one_statement(read_db) -> None:  # noqa: F811
    """Guangdong has a reminder due tomorrow: as of today its figures and its cities' are the running
    totals less what is dated later, one statement; Sichuan's child recorded ahead is settled on
    its own day, so Sichuan as of today is summed by day — equal to the leaf sums either way."""
    await applied(read_db, the_log(), seed=4)
    statements: list[str] = []
    event.listen(read_db.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    async with read_db.connect() as conn:
        for code, reads in (("44", 1), ("4401", 1), ("440105001", 1), ("51", 3), ("CN", 3)):
            region = parse_region(code)
            expected = (await leaf_sums(conn, region.prefix, TODAY), await leaf_parts(conn, code, TODAY))
            statements.clear()
            assert await figures_with_subregions(conn, region, TODAY) == expected, code
            assert len(statements) == reads, (code, statements)
        assert expected[0]["reminders_open"] == 0  # due tomorrow: not open today
        tomorrow = await figures_as_of(conn, parse_region("44"), TODAY + timedelta(days=1))
        assert tomorrow["reminders_open"] == 1


async def test_a_series_and_a_months_parts_read_the_rollups_as_they_read_the_leaves(read_db) -> None:  # noqa: F811
    await applied(read_db, the_log(), seed=3)
    async with read_db.connect() as conn:
        for code in ("CN", "44", "4401", "440105001", HZ, "51"):
            region = parse_region(code)
            months = await series(conn, region, 2026, TODAY)
            assert months[-1] | {"month": "2026-05"} == months[-1]
            for month in months:
                end = date.fromisoformat(month["month"] + "-01") + timedelta(days=31)
                end = min(end.replace(day=1) - timedelta(days=1), TODAY)
                stock = (await leaf_sums(conn, region.prefix, end))["children"]
                assert month["children"] == stock, (code, month["month"])
            total, rows = await month_by_subregion(conn, region, date(2026, 4, 1), date(2026, 4, 30))
            assert total["children"] == (await leaf_sums(conn, region.prefix, date(2026, 4, 30)))["children"]
            assert total["children_moved_out"] == (code in ("CN", "44", "4401", "440105", "440105001", HZ))
            if rows:
                assert sum(row["children"] for row in rows) == total["children"], code


async def test_a_ledger_kept_without_roll_ups_gets_them_from_its_rows_at_start(read_db) -> None:  # noqa: F811
    """An installation upgraded from a version without roll-ups: the new tables start empty beside
    a full ledger; the projector's start fills them, once, equal to what the batches would have made."""
    from services.projections.figures.ledger import roll_up_existing_ledger

    await applied(read_db, the_log(), seed=3)
    async with read_db.connect() as conn:
        made = ((await conn.execute(select(totals).order_by(*totals.primary_key))).all(),
                (await conn.execute(select(rollup).order_by(*rollup.primary_key))).all())
    async with read_db.begin() as conn:
        await conn.execute(totals.delete())
        await conn.execute(rollup.delete())
        await conn.execute(ahead.delete())  # new with the roll-ups too
        assert await roll_up_existing_ledger(conn) is True
    async with read_db.begin() as conn:
        assert await roll_up_existing_ledger(conn) is False  # once: the totals are there now
    async with read_db.connect() as conn:
        again = ((await conn.execute(select(totals).order_by(*totals.primary_key))).all(),
                 (await conn.execute(select(rollup).order_by(*rollup.primary_key))).all())
        assert [r[:4] for r in again[0]] == [r[:4] for r in made[0]] and again[1] == made[1]
        # The ledger's rows do not say which steps were dated after their event: the last days
        # count them all, so reads as of a day before them sum by day until it has passed.
        assert all(r.last_day >= m.last_day for r, m in zip(again[0], made[0]))
        assert (await conn.execute(select(ahead))).first() is None
        for day in (TODAY, TODAY + timedelta(days=1), AHEAD):
            assert await figures_as_of(conn, parse_region("44"), day) == await leaf_sums(conn, "44", day)


async def test_a_ledger_without_its_villages_running_totals_gets_them_at_start(read_db) -> None:  # noqa: F811
    """An installation whose roll-ups were kept down to the town: the projector's start adds the
    villages' running totals from the ledger, once, equal to what the batches would have made."""
    from services.projections.figures.ledger import total_villages_of_existing_ledger

    await applied(read_db, the_log(), seed=5)
    async with read_db.connect() as conn:
        made = (await conn.execute(select(totals).order_by(*totals.primary_key))).all()
    assert any(len(row.prefix) == 12 for row in made)
    async with read_db.begin() as conn:
        await conn.execute(totals.delete().where(func.length(totals.c.prefix) == 12))
        assert await total_villages_of_existing_ledger(conn) is True
    async with read_db.begin() as conn:
        assert await total_villages_of_existing_ledger(conn) is False
    async with read_db.connect() as conn:
        again = (await conn.execute(select(totals).order_by(*totals.primary_key))).all()
        assert [r[:4] for r in again] == [r[:4] for r in made]
        assert all(r.last_day >= m.last_day for r, m in zip(again, made))  # as in the upgrade above
        street = parse_region("440105001")
        _, rows = await figures_with_subregions(conn, street, TODAY)
        assert {row["region"]: row["children"] for row in rows}[HZ] == (await leaf_sums(conn, HZ, TODAY))["children"]
