"""The figure ledger on a real nats-server, each case on SQLite and on PostgreSQL: real events from
the command handlers through the Projector, then the figures at every level, as of any day, per
sub-region and month by month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import parse_region
from services.projections.figures.catalogue import STORED, complete
from services.projections.figures.queries import (figures_as_of, figures_by_subregion, month_by_subregion,
                                                   series, service_by_holder)
from services.shared.unit_of_work import Deps
from tests.log.care_cases import FakeClock, child, ok
from tests.log.figures_cases import AT_THE_END, CH, HZ1, LAST_DAY, MOVED_ON, SC, programme
from tests.log.projection_cases import catch_up, running
from tests.log.test_projections import projector, read_db  # noqa: F401  (fixtures: SQLite and PostgreSQL)

LEVELS = ("CN", "44", "4401", "440105", "440105001", HZ1, "440117", CH, "51", "510623", SC)
STOCK_NAMES = ("children", "children_paired", "children_tier_red", "active_pairs", "volunteers")


@pytest.fixture
async def ledger(event_log, keys, projector, read_db) -> AsyncEngine:  # noqa: F811
    clock = FakeClock(date(2026, 3, 1))
    await programme(Deps(log=event_log, keys=keys, clock=clock), clock)
    async with running(projector):  # following live: the events arrive in many small batches
        await catch_up(projector, event_log)
    return read_db


async def at(engine: AsyncEngine, code: str, day: date = LAST_DAY) -> dict:
    async with engine.connect() as conn:
        return await figures_as_of(conn, parse_region(code), day)


def expected(code: str) -> dict:
    prefix = parse_region(code).prefix
    leaves = [f for leaf, f in AT_THE_END.items() if leaf.startswith(prefix)]
    return complete({name: sum(leaf.get(name, 0) for leaf in leaves) for name in STORED})


async def test_the_figures_at_every_level_are_the_sums_of_their_leaves(ledger) -> None:
    for code in LEVELS:
        assert await at(ledger, code) == expected(code), code
    national = await at(ledger, "CN")
    assert (national["children"], national["children_registered"], national["children_paired"]) == (3, 4, 1)
    assert (national["coverage"], national["coverage_left_behind"]) == (round(1 / 3, 4), round(1 / 3, 4))
    assert national["service_hours"] == 3.5  # 30 + 60 + 120 volunteer-minutes


async def test_a_parents_figures_are_the_sum_of_its_childrens_on_any_day(ledger) -> None:
    async with ledger.connect() as conn:
        for day in (date(2026, 3, 10), MOVED_ON - timedelta(days=1), MOVED_ON, LAST_DAY):
            for code in ("CN", "44", "4401", "440105", "440105001", "51"):
                region = parse_region(code)
                parts = await figures_by_subregion(conn, region, day)
                whole = await figures_as_of(conn, region, day)
                assert {n: sum(p[n] for p in parts) for n in STORED} == {n: whole[n] for n in STORED}, (code, day)
        provinces = {p["region"][:2]: p for p in await figures_by_subregion(conn, parse_region("CN"), LAST_DAY)}
        district = await figures_by_subregion(conn, parse_region("440105"), LAST_DAY)
    assert (provinces["44"]["name"], provinces["44"]["children"], provinces["51"]["children"]) == ("广东省", 2, 1)
    assert district[0]["name"] == "(this level)" and district[0]["fund_balance_fen"] == 90_000


async def test_as_of_before_anything_is_zero_and_as_of_today_is_live(ledger) -> None:
    for code in ("CN", "44", HZ1):
        assert set((await at(ledger, code, date(2000, 1, 1))).values()) == {0}
        assert set((await at(ledger, code, date(2025, 12, 1))).values()) == {0}  # trained on 2 Dec
        assert await at(ledger, code, date.today()) == await at(ledger, code, date.max)


async def test_a_transfer_moves_the_stocks_on_its_day(ledger) -> None:
    before, after = MOVED_ON - timedelta(days=1), MOVED_ON
    for code, was, now in (("440105", (3, 1, 1), (2, 0, 0)), ("440117", (0, 0, 0), (1, 1, 1)),
                           ("4401", (3, 1, 1), (3, 1, 1))):
        then, later = await at(ledger, code, before), await at(ledger, code, after)
        assert tuple(then[n] for n in STOCK_NAMES[:3]) == was, code
        assert tuple(later[n] for n in STOCK_NAMES[:3]) == now, code
    assert (await at(ledger, "440105", after))["children_moved_out"] == 1
    assert (await at(ledger, "440117", after))["children_moved_in"] == 1


async def test_a_monthly_series_takes_flows_by_month_and_stocks_at_each_months_end(ledger) -> None:
    async with ledger.connect() as conn:
        months = await series(conn, parse_region("CN"), 2026, LAST_DAY)
        hz = await series(conn, parse_region("440105"), 2026, LAST_DAY)
    assert [m["month"] for m in months] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert [m["children"] for m in months] == [0, 0, 4, 4, 3]
    assert [m["active_pairs"] for m in months] == [0, 0, 2, 1, 1]
    assert [m["activities"] for m in months] == [0, 0, 3, 0, 0]
    assert [m["pairs_ended"] for m in months] == [0, 0, 0, 1, 0]
    assert [m["children_exited"] for m in months] == [0, 0, 0, 0, 1]
    assert [m["fund_balance_fen"] for m in hz] == [0, 0, 90_000, 90_000, 90_000]
    assert [m["children"] for m in hz] == [0, 0, 3, 2, 1]
    # The last month's stocks are today's figures; its flows are within the month.
    assert {n: months[-1][n] for n in STOCK_NAMES} == {n: (await at(ledger, "CN"))[n] for n in STOCK_NAMES}


async def test_a_months_report_splits_over_the_sub_regions(ledger) -> None:
    async with ledger.connect() as conn:
        total, rows = await month_by_subregion(conn, parse_region("44"), date(2026, 3, 1), date(2026, 3, 31))
        hours = await service_by_holder(conn, parse_region("CN"), "volunteer", date(2026, 1, 1), LAST_DAY)
        teams = await service_by_holder(conn, parse_region("44"), "team", date(2026, 1, 1), LAST_DAY)
    assert (total["children"], total["activities"], total["children_registered"]) == (3, 2, 3)
    guangzhou = next(r for r in rows if r["region"].startswith("4401"))
    assert (guangzhou["name"], guangzhou["activities"], guangzhou["gift_packs"]) == ("广州市", 2, 1)
    assert sum(r["children"] for r in rows) == total["children"]
    assert [(h["id"], h["minutes"], h["activities"]) for h in hours] == [("v1", 150, 2), ("v2", 60, 1)]
    # t1 is Haizhu's team; its member v2 lives in Sichuan, and her reading counts to it.
    assert [(t["id"], t["region"], t["minutes"]) for t in teams] == [("t1", "440105000000", 60)]


async def test_a_childs_place_completed_moves_her_stocks_within_the_county_on_its_day(
        event_log, keys, projector, read_db) -> None:  # noqa: F811
    clock = FakeClock(date(2026, 3, 1))
    deps = Deps(log=event_log, keys=keys, clock=clock)
    await child(deps, "c9", date(2016, 5, 10), "440105")  # a list that named the county alone
    clock.set(date(2026, 3, 10))
    await ok(deps, "complete_child_place", child_id="c9", region=HZ1)
    async with running(projector):
        await catch_up(projector, event_log)
    for day, village, county in ((date(2026, 3, 9), 0, 1), (date(2026, 3, 10), 1, 1)):
        assert (await at(read_db, HZ1, day))["children"] == village, day
        assert (await at(read_db, "440105", day))["children"] == county, day
    assert (await at(read_db, "440105", date(2026, 3, 10)))["children_moved_in"] == 0
