"""A figure ledger kept by a version before the split of person-times, trainings at a station and
staff volunteers, on a real nats-server (SQLite and PostgreSQL): the projector's start adds the
column the old ledger lacks, keeps serving its figures, and rebuilds it from the log beside them,
once; then every figure is what the new rules make of the log."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, inspect, text

from contracts.regions import parse_region
from services.projections import all_projections
from services.projections.figures.queries import figures_as_of
from services.projections.figures.tables import ahead, ledger, rollup, totals, volunteers
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps
from tests.log.care_cases import FakeClock
from tests.log.projection_cases import catch_up, running
from tests.log.test_figures_periods import FIRST, LAST, programme
from tests.log.test_projections import projector, read_db  # noqa: F401  (fixtures: SQLite and PostgreSQL)

NEW = ("attendance", "volunteer_person_times", "guardian_person_times", "other_person_times",
       "station_training_sessions", "volunteers_trained_at_stations")


async def figures(engine) -> dict:
    async with engine.connect() as conn:
        return await figures_as_of(conn, parse_region("CN"), LAST)


async def columns(engine) -> set[str]:
    async with engine.connect() as conn:
        return {c["name"] for c in await conn.run_sync(lambda c: inspect(c).get_columns(volunteers.name))}


async def begun(projector: Projector) -> None:
    """Until the projector's run has started the rebuild its start asked for."""
    while projector.rebuilds.current is None:
        await asyncio.sleep(0.05)


async def test_a_ledger_of_an_older_version_is_rebuilt_from_the_log_beside_the_live_one(
        event_log, keys, projector, read_db) -> None:  # noqa: F811
    clock = FakeClock(FIRST)
    await programme(Deps(log=event_log, keys=keys, clock=clock), clock)
    async with running(projector):
        await catch_up(projector, event_log)
    made = await figures(read_db)
    assert made["attendance"] == 160 + 2 + 3 + 2 and made["station_training_sessions"] == 1
    async with read_db.begin() as conn:  # as the older version kept it: no staff, none of the new figures
        await conn.execute(text(f"ALTER TABLE {volunteers.name} DROP COLUMN staff"))
        for table in (ledger, rollup, totals, ahead):
            await conn.execute(delete(table).where(table.c.figure.in_(NEW)))
    old = await figures(read_db)
    assert {old[key] for key in NEW} == {0}

    started = Projector(event_log, read_db, all_projections())
    await started.create_schema()
    assert started.outdated == ["figure_ledger"] and "staff" in await columns(read_db)
    assert await figures(read_db) == old  # served as they were until the rebuild takes their place
    async with running(started):
        await catch_up(started, event_log)
        await asyncio.wait_for(begun(started), 30)
        reports = await started.rebuilds.wait()
    assert [r.projection for r in reports] == ["figure_ledger"]
    assert await figures(read_db) == made

    again = Projector(event_log, read_db, all_projections())
    await again.create_schema()
    assert again.outdated == []  # once
