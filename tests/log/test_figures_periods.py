"""Figures over a period on a real nats-server, on SQLite and PostgreSQL: real events from the
command handlers through the Projector, then a span's figures — each flow the sum of its days,
each stock as it stood at the span's end (and at its start), the counties covered counted on read —
and a station's attendance of 160 with 20 children named counted as given, split."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import parse_region
from services.projections.figures.catalogue import FIGURES, FLOW, LEVELS, STOCK
from services.projections.figures.counties import counties_covered, counties_covered_on
from services.projections.figures.spans import figures_on, figures_over, series_counted
from services.shared.unit_of_work import Deps
from tests.log.care_cases import FakeClock, child, ok
from tests.log.projection_cases import catch_up, running
from tests.log.test_projections import projector, read_db  # noqa: F401  (fixtures: SQLite and PostgreSQL)

HZ1, HZ2, CH = "440105001101", "440105001102", "440117001001"  # 海珠 (two villages), 从化
FIRST, LAST = date(2026, 1, 5), date(2026, 3, 10)
FLOWS = [f.key for f in FIGURES if f.kind == FLOW]
STOCKS = [f.key for f in FIGURES if f.kind == STOCK]


async def programme(deps: Deps, clock: FakeClock) -> None:
    clock.set(FIRST)
    await child(deps, "c1", date(2016, 5, 10), HZ1)
    await child(deps, "c3", date(2015, 1, 1), CH)
    for n in range(20):
        await ok(deps, "register_child", child_id=f"s{n}", region=HZ2, name="李小花", sex="female",
                 birth_date=date(2014, 1, 1), category="left_behind")
    for volunteer_id, region in (("v1", HZ1), ("v2", CH)):
        await ok(deps, "recruit_volunteer", volunteer_id=volunteer_id, region=region, name="王芳",
                 sex="female", kind="mother")
        await ok(deps, "record_training", topic="minors_protection_law", held_on=FIRST, volunteer_ids=[volunteer_id])
    await ok(deps, "open_station", station_id="st1", region=HZ2, name="鹭江驿站", opening_days=["sat", "sun"])
    clock.set(date(2026, 1, 8))
    await ok(deps, "record_training", topic="psychology_basics", held_on="2026-01-08", station_id="st1",
             volunteer_ids=["v1", "v2"])
    clock.set(date(2026, 1, 10))
    await ok(deps, "form_pair", pair_id="p1", child_ids=["c1"], volunteer_ids=["v1"])
    clock.set(date(2026, 1, 25))
    await ok(deps, "log_visit", pair_id="p1", kind="phone_call", visited_on="2026-01-25", duration_minutes=30)
    await ok(deps, "log_collective_activity", station_id="st1", kind="holiday_activity", held_on="2026-01-24",
             duration_minutes=120, volunteer_ids=["v1"], child_ids=[f"s{n}" for n in range(20)],
             guardians_present=12, attendance=160)
    clock.set(date(2026, 2, 3))
    await ok(deps, "form_pair", pair_id="p2", child_ids=["c3"], volunteer_ids=["v2"])
    clock.set(date(2026, 2, 20))
    await ok(deps, "log_activity", pair_id="p2", kind="reading", held_on="2026-02-20", duration_minutes=60,
             guardians_present=1)
    clock.set(date(2026, 3, 5))
    await ok(deps, "end_pair", pair_id="p1", reason="moved")
    await ok(deps, "log_visit", pair_id="p2", kind="home_visit", visited_on="2026-03-05", duration_minutes=45)
    clock.set(LAST)


@pytest.fixture
async def ledger(event_log, keys, projector, read_db) -> AsyncEngine:  # noqa: F811
    clock = FakeClock(FIRST)
    await programme(Deps(log=event_log, keys=keys, clock=clock), clock)
    async with running(projector):
        await catch_up(projector, event_log)
    return read_db


async def on(conn, code: str, day: date) -> dict:
    return (await figures_on(conn, parse_region(code), day))[0]


@pytest.mark.parametrize("start, end", [(date(2026, 1, 20), date(2026, 2, 28)), (FIRST, LAST),
                                        (date(2026, 1, 24), date(2026, 1, 24)), (date(2026, 3, 1), LAST)])
async def test_a_periods_flows_are_the_sum_of_its_days_and_its_stocks_those_of_its_end(ledger, start, end) -> None:
    async with ledger.connect() as conn:
        for code in ("CN", "44", "4401", "440105", HZ2):
            region = parse_region(code)
            over, rows, opening = await figures_over(conn, region, start, end)
            days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
            standing = {day: await on(conn, code, day) for day in [start - timedelta(days=1), *days]}
            for key in FLOWS:
                by_day = sum(standing[d][key] - standing[d - timedelta(days=1)][key] for d in days)
                assert over[key] == by_day, (code, key)
            assert {k: over[k] for k in LEVELS} == {k: standing[end][k] for k in LEVELS}, code
            assert opening == {k: standing[start - timedelta(days=1)][k] for k in LEVELS}, code
            added = FLOWS + STOCKS + (["counties_covered"] if len(region.prefix) < 6 else [])
            for key in added:  # the sub-regions add up to the region
                assert sum(row[key] for row in rows) == over[key] or not rows, (code, key)


async def test_the_winter_breaks_figures_as_the_reports_count_them(ledger) -> None:
    async with ledger.connect() as conn:
        winter, _rows, opening = await figures_over(conn, parse_region("4401"), date(2026, 1, 20), date(2026, 2, 28))
    # The station's 160 as given: 20 children named, 12 guardians, 127 others; v1 serving. Then a
    # call (c1 served, v1 serving) and a reading (c3 and a guardian served, v2 serving).
    assert winter["attendance"] == 160 + 2 + 3
    assert (winter["child_person_times"], winter["guardian_person_times"], winter["other_person_times"]) == (22, 13, 127)
    assert winter["person_times"] == 22 + 13 + 127 and winter["volunteer_person_times"] == 3
    assert (winter["activities"], winter["activities_by_station"]) == (3, 1)
    assert (winter["station_training_sessions"], winter["volunteers_trained_at_stations"]) == (0, 0)  # on 8 Jan
    assert (opening["active_pairs"], opening["counties_covered"]) == (1, 1)  # 海珠
    assert (winter["active_pairs"], winter["counties_covered"]) == (2, 2)  # and 从化
    assert winter["pairs_formed"] == 1 and winter["children"] == 22


async def test_counties_covered_follow_the_active_pairs_at_every_level(ledger) -> None:
    async with ledger.connect() as conn:
        for code in ("CN", "44", "4401", "440105", "440117"):
            found = [(await on(conn, code, day))["counties_covered"]
                     for day in (date(2026, 1, 9), date(2026, 1, 10), date(2026, 2, 3), date(2026, 3, 5), date.today())]
            expected = {"440105": [0, 1, 1, 0, 0], "440117": [0, 0, 1, 1, 1]}.get(code, [0, 1, 2, 1, 1])
            assert found == expected, code
        trained = await on(conn, "CN", LAST)
        cn, rows = await figures_on(conn, parse_region("44"), date.today())
        months = await series_counted(conn, parse_region("4401"), 2026, LAST)
    assert [(m["month"], m["counties_covered"], m["active_pairs"]) for m in months] == [
        ("2026-01", 1, 1), ("2026-02", 2, 2), ("2026-03", 1, 1)]
    assert (trained["station_training_sessions"], trained["volunteers_trained_at_stations"]) == (1, 2)
    assert cn["counties_covered"] == sum(row["counties_covered"] for row in rows) == 1


async def test_counties_covered_on_many_days_read_at_once_equal_those_read_day_by_day(ledger) -> None:
    days = [date(2026, 1, 9), date(2026, 1, 10), date(2026, 1, 31), date(2026, 2, 3), date(2026, 2, 28),
            date(2026, 3, 4), date(2026, 3, 5), LAST]
    async with ledger.connect() as conn:
        for prefix in ("", "44", "4401", "440105", "440117", "440105001", HZ1):
            one_by_one = [(await counties_covered(conn, prefix, day, None))[0] for day in days]
            assert await counties_covered_on(conn, prefix, days) == one_by_one, prefix
            assert one_by_one != [0] * len(days), prefix  # each region had a pair on some day
