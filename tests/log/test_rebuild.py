"""Rebuilds into shadow tables on a real nats-server, each case on SQLite and on PostgreSQL: the live
read models keep following the log while a rebuild runs, the swapped-in tables are what a fresh
build makes, and a rebuild that is stopped midway resumes from its own checkpoint.

A rebuild is held inside one of its batch transactions (`Held`) where a case needs it to be
midway for certain; nothing here asserts how fast anything is."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import communities, parse_region
from services.projections import all_projections
from services.projections.figures.queries import figures_as_of
from services.projections.figures.tables import children as ledger_children, ledger
from services.shared.db import make_engine
from services.shared.endpoints import execute
from services.shared.follower.projection import checkpoints
from services.shared.follower.projector import Projector
from services.shared.follower.rebuild import Rebuild
from services.shared.follower.shadow import SHADOW, Shadow
from tests.conftest import NATIONAL, POSTGRES_URL
from tests.log.projection_cases import ROUTES, catch_up, running, snapshot
from tests.log.test_projections import _fresh_postgres_database, read_db  # noqa: F401  (a fixture)

CHILDREN = 3000  # each one event: a log of a few thousand
WAIT = 30.0  # bounded waits, never a measure of speed


@pytest.fixture
async def projector(event_log, read_db) -> Projector:  # noqa: F811
    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    return projector


@pytest.fixture
async def reference_db(read_db, tmp_path: Path) -> AsyncIterator[AsyncEngine]:  # noqa: F811
    """A second database of the same kind, for a build from scratch to compare with."""
    async with contextlib.AsyncExitStack() as stack:
        if read_db.dialect.name == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}"
        else:
            url = await stack.enter_async_context(_fresh_postgres_database(POSTGRES_URL))
        engine = make_engine(url)
        yield engine
        await engine.dispose()


class Held:
    """Holds a rebuild at its `at`-th batch until released: inside the batch's transaction, as a
    projection of it, or (`between`) as the log hands the batch over, before any transaction or
    turn to write (on SQLite, one writer at a time, the live follower waits for a shadow batch)."""

    def __init__(self, rebuild: Rebuild, name: str, at: int = 2, between: bool = False) -> None:
        self.projection = rebuild.applier.projections[name]
        self.name, self.tables, self.handles = name, self.projection.tables, self.projection.handles
        self.at, self.count = at, 0
        self.waiting, self.release = asyncio.Event(), asyncio.Event()
        if between:
            self.log, rebuild.log = rebuild.log, self
        else:
            rebuild.applier.projections[name] = self

    async def _hold(self) -> None:
        self.count += 1
        if self.count == self.at:
            self.waiting.set()
            await self.release.wait()

    async def apply(self, conn, events) -> None:
        await self._hold()
        await self.projection.apply(conn, events)

    async def batches(self, *args, **kwargs):
        async for batch in self.log.batches(*args, **kwargs):
            await self._hold()
            yield batch


async def register(deps, first: int, count: int, bulk: bool = True) -> None:
    place = communities("440105")[0].code
    actor = NATIONAL.model_dump(mode="json")
    rows = [{"actor": actor, "region": place, "name": f"童{n}", "sex": "female",
             "birth_date": "2016-05-05", "category": "left_behind"} for n in range(first, first + count)]
    batches = [("register_children", {"rows": rows[i:i + 500]}) for i in range(0, count, 500)] if bulk \
        else [("register_child", row) for row in rows]
    for command, fields in batches:
        model, handler = ROUTES[command]
        reply = await execute(deps, model, handler, json.dumps({"actor": actor, **fields}).encode())
        assert reply.ok and all(r["status"] == "registered" for r in reply.result.get("rows", [])), reply


async def registered(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return (await figures_as_of(conn, parse_region("CN"), date.max))["children_registered"]


async def eventually(condition, timeout: float = WAIT) -> None:
    async def poll() -> None:
        while not await condition():
            await asyncio.sleep(0.02)
    await asyncio.wait_for(poll(), timeout)


async def no_shadow_left(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return not [n for n in await conn.run_sync(lambda c: inspect(c).get_table_names()) if SHADOW in n]
        return SHADOW not in await conn.run_sync(lambda c: inspect(c).get_schema_names())


async def test_live_read_models_follow_the_log_while_a_rebuild_runs(deps, event_log, projector, read_db) -> None:  # noqa: F811
    await register(deps, 0, CHILDREN)
    async with running(projector):
        await catch_up(projector, event_log, timeout=WAIT)
        rebuild = await projector.rebuilds.start()
        held = Held(rebuild, "figure_ledger", between=True)
        assert await projector.rebuilds.start() is rebuild  # one at a time: asking again joins it
        await asyncio.wait_for(held.waiting.wait(), WAIT)
        assert 0 < rebuild.applier.position < CHILDREN
        await register(deps, CHILDREN, 1, bulk=False)

        async def seen() -> bool:
            return await registered(read_db) == CHILDREN + 1

        await eventually(seen)  # with the rebuild midway
        assert rebuild.state == "running"
        held.release.set()
        reports = await projector.rebuilds.wait()
    assert rebuild.state == "done" and rebuild.target == await event_log.last_sequence()
    assert [(r.projection, r.equal) for r in reports] == [(p.name, True) for p in all_projections()]
    assert await registered(read_db) == CHILDREN + 1  # the rebuilt table has the late child too
    assert await no_shadow_left(read_db)


async def test_after_the_swap_the_read_models_are_a_fresh_builds(
    deps, event_log, projector, read_db, reference_db  # noqa: F811
) -> None:
    await register(deps, 0, CHILDREN // 2)
    async with running(projector):
        await catch_up(projector, event_log, timeout=WAIT)
        async with read_db.begin() as conn:  # a live read model gone wrong, to be repaired
            await conn.execute(update(ledger).values(delta=99))
        rebuild = await projector.rebuilds.start()
        held = Held(rebuild, "children_directory")
        await asyncio.wait_for(held.waiting.wait(), WAIT)
        await register(deps, CHILDREN, 20, bulk=False)  # the log goes on during the rebuild
        held.release.set()
        reports = {r.projection: r for r in await projector.rebuilds.wait()}
        await catch_up(projector, event_log, timeout=WAIT)
    assert not reports["figure_ledger"].equal
    assert reports["figure_ledger"].differences[0].startswith("figure_ledger:")
    assert all(r.equal for name, r in reports.items() if name != "figure_ledger")
    fresh = Projector(event_log, reference_db, all_projections())
    await fresh.create_schema()
    async with running(fresh):
        await catch_up(fresh, event_log, timeout=WAIT)
    assert await snapshot(read_db) == await snapshot(reference_db)
    assert await registered(read_db) == CHILDREN // 2 + 20
    # Once more, over the tables swapped in (on SQLite their indexes now have the other names).
    assert all(r.equal for r in await projector.replay())
    assert await snapshot(read_db) == await snapshot(reference_db) and await no_shadow_left(read_db)


async def test_a_stopped_rebuild_resumes_from_its_checkpoint(deps, event_log, projector, read_db) -> None:  # noqa: F811
    await register(deps, 0, CHILDREN)
    last = await event_log.last_sequence()
    async with running(projector):
        await catch_up(projector, event_log, timeout=WAIT)
        before = await snapshot(read_db)
        stopped = await projector.rebuilds.start(["figure_ledger", "children_directory"])
        held = Held(stopped, "children_directory", at=3)
        await asyncio.wait_for(held.waiting.wait(), WAIT)
        committed = stopped.applier.position  # the batch held is not: it is rolled back
    # Stopping the projector stops its rebuild, midway through a batch.
    assert stopped.state == "stopped" and 0 < committed < last
    shadow = Shadow.of(read_db)
    marks = await shadow.pending()
    await shadow.close()
    assert marks == {"figure_ledger": committed, "children_directory": committed}

    restarted = Projector(event_log, read_db, all_projections())
    await restarted.create_schema()
    async with running(restarted):  # picks the rebuild up by itself
        await eventually(lambda: _started(restarted))
        reports = await restarted.rebuilds.wait()
        resumed = restarted.rebuilds.current
    assert [r.projection for r in reports] == ["figure_ledger", "children_directory"]
    assert all(r.equal for r in reports)
    assert (resumed.resumed_from, resumed.events) == (committed, last - committed)
    assert await snapshot(read_db) == before
    assert await no_shadow_left(read_db)


async def _started(projector: Projector) -> bool:
    return projector.rebuilds.current is not None


async def test_a_rebuild_replaces_a_live_table_of_an_older_shape(deps, event_log, projector, read_db) -> None:  # noqa: F811
    await register(deps, 0, 50)
    async with running(projector):
        await catch_up(projector, event_log, timeout=WAIT)
    async with read_db.begin() as conn:  # as a table made before its projection had this column
        await conn.execute(text(f"ALTER TABLE {ledger_children.name} DROP COLUMN tier"))
    [report] = await projector.replay(["figure_ledger"])
    assert report.differences == [f"{ledger_children.name}: the live table has other columns "
                                  "(lacks ['tier'], has [] too)"]
    async with read_db.connect() as conn:
        columns = await conn.run_sync(lambda c: inspect(c).get_columns(ledger_children.name))
    assert "tier" in {c["name"] for c in columns} and await registered(read_db) == 50


async def test_the_comparison_sees_both_copies_at_one_moment(deps, event_log, projector, read_db) -> None:  # noqa: F811
    await register(deps, 0, 5)
    async with running(projector):
        await catch_up(projector, event_log, timeout=WAIT)
    shadow = Shadow.of(read_db)
    await shadow.prepare([projector.projections["figure_ledger"]])
    count = select(func.count()).select_from(ledger)
    async with shadow.snapshot() as seen:
        before = (await seen.execute(count)).scalar()
        async with read_db.begin() as conn:  # the live follower goes on meanwhile
            await conn.execute(ledger.insert().values(region="110101001001", day=date(2026, 1, 1),
                                                      figure="children", delta=1))
        assert (await seen.execute(count)).scalar() == before
    async with read_db.connect() as conn:
        assert (await conn.execute(count)).scalar() == before + 1
    await shadow.close()


async def test_what_a_retired_read_model_left_behind_is_passed_by(deps, event_log, projector, read_db) -> None:  # noqa: F811
    """A read model retired since (as region_stats was) leaves its checkpoints, live and in the
    shadow, and its tables: start-up, following the log and a rebuild go on without them."""
    await register(deps, 0, 5)
    async with running(projector):
        await catch_up(projector, event_log, timeout=WAIT)
    shadow = Shadow.of(read_db)
    await shadow.prepare([])  # the shadow's own checkpoints, as a rebuild of the retired one left them
    async with read_db.begin() as conn:
        await conn.execute(checkpoints.insert().values(projection="region_stats", last_seq=1))
        await conn.execute(shadow.table(checkpoints).insert().values(projection="region_stats", last_seq=1))
        await conn.execute(text("CREATE TABLE region_figures (region VARCHAR(12) PRIMARY KEY)"))
    await shadow.close()
    restarted = Projector(event_log, read_db, all_projections())
    await restarted.create_schema()
    assert restarted.position == await event_log.last_sequence()  # not held back by the retired one's
    await register(deps, 5, 1, bulk=False)
    async with running(restarted):
        await catch_up(restarted, event_log, timeout=WAIT)
        assert restarted.rebuilds.current is None  # nothing of its own to resume
        reports = await restarted.replay()
    assert [(r.projection, r.equal) for r in reports] == [(p.name, True) for p in all_projections()]
    assert await registered(read_db) == 6
    assert await no_shadow_left(read_db)
