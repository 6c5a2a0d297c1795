"""Read models on a real nats-server, each case run on SQLite and on PostgreSQL.

The cases are written once; only the `read_db` fixture differs between backends. Events come from
the real command handlers, so the projections see exactly what the services store. PostgreSQL is
AIXIN_TEST_POSTGRES_URL (a database per test is created on it and dropped); where it cannot be
reached its cases are skipped, except with CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import NoReturn
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.privacy import ERASED
from contracts.regions import parse_region
from contracts.subjects import STREAM
from services.projections import all_projections
from services.projections.children_directory import children_in
from services.projections.figures.catalogue import STORED
from services.projections.figures.queries import figures_as_of, figures_by_subregion
from services.projections.figures.tables import ledger
from services.shared.db import make_engine
from services.shared.follower.projection import checkpoints, dead_letters
from services.shared.follower.projector import Projector
from tests.conftest import POSTGRES_URL
from tests.log.projection_cases import (FIGURES, NAMES, PROGRAMME, REGIONS, SIX_LEVELS, catch_up,
                                        expected_figures, running, send, snapshot)

BAD_SUBJECT = "aixin.evt.44.4401.440105.440105001.440105001101.child.bad"
HALF = len(PROGRAMME) // 2
EVERYTHING = date.max  # as of a day after every event, whatever day each one is dated
_unreachable: dict[str, str] = {}  # probe PostgreSQL once per session, not once per test


# --- backends: the only thing that differs between the two runs of every case ---

def _skip_or_fail(reason: str) -> NoReturn:
    # On CI the database is part of the environment: a missing one must not pass as a skip.
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@contextlib.asynccontextmanager
async def _fresh_postgres_database(url: str) -> AsyncIterator[str]:
    """A database of its own, dropped afterwards: checkpoints belong to one test's stream."""
    shown = make_url(url).render_as_string()  # password hidden
    if url in _unreachable:
        _skip_or_fail(_unreachable[url])
    try:
        admin = await asyncpg.connect(make_url(url).set(drivername="postgresql")
                                      .render_as_string(hide_password=False), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        _unreachable[url] = f"PostgreSQL not reachable at {shown}: {error!r}"
        _skip_or_fail(_unreachable[url])
    name = f"aixin_t_{uuid4().hex[:16]}"
    try:
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        except asyncpg.PostgresError as error:  # e.g. a user without CREATEDB
            _skip_or_fail(f"PostgreSQL at {shown} cannot create a test database: {error!r}")
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def read_db(request, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 'read.db'}"
        else:
            url = await stack.enter_async_context(_fresh_postgres_database(POSTGRES_URL))
        engine = make_engine(url)
        yield engine
        await engine.dispose()  # before the database is dropped


@pytest.fixture
async def projector(event_log, read_db) -> Projector:
    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    return projector


async def figures_at(engine: AsyncEngine, code: str) -> dict[str, int]:
    """The region's figures from the figure ledger, the read model the stats route serves: those
    the cases work out by hand."""
    async with engine.connect() as conn:
        found = await figures_as_of(conn, parse_region(code), EVERYTHING)
    return {name: found[name] for name in FIGURES}


async def all_levels(engine: AsyncEngine) -> dict[str, dict[str, int]]:
    return {code: await figures_at(engine, code) for code in SIX_LEVELS}


def expected_levels() -> dict[str, dict[str, int]]:
    return {code: expected_figures(parse_region(code)) for code in SIX_LEVELS}


# --- cases ---

async def test_figures_at_all_six_levels_add_up(deps, event_log, projector, read_db) -> None:
    async with running(projector):  # following live, so the events arrive in many small batches
        await send(deps, PROGRAMME)
        await catch_up(projector, event_log)
    assert await all_levels(read_db) == expected_levels()
    national = await figures_at(read_db, "CN")
    # Five children; c-hz-1 is in two active pairs and c-sc-1's pair ended: four children paired.
    headline = national["children_registered"], national["children_paired"], national["active_pairs"]
    assert headline == (5, 4, 3)
    assert await figures_at(read_db, "51") == expected_figures(parse_region("510623100003"))
    async with read_db.connect() as conn:
        for code in SIX_LEVELS[:-1]:  # every figure the ledger stores, not only those worked out above
            region = parse_region(code)
            parts = await figures_by_subregion(conn, region, EVERYTHING)
            whole = await figures_as_of(conn, region, EVERYTHING)
            assert {n: sum(p[n] for p in parts) for n in STORED} == {n: whole[n] for n in STORED}, code
        provinces = {p["region"][:2]: p for p in await figures_by_subregion(conn, parse_region("CN"), EVERYTHING)}
    assert (provinces["44"]["name"], provinces["44"]["children_registered"]) == ("广东省", 4)
    assert (provinces["51"]["level"], provinces["51"]["children_registered"]) == ("province", 1)


async def test_applying_the_same_batches_again_changes_nothing(
    deps, event_log, projector, read_db
) -> None:
    await send(deps, PROGRAMME)
    async with running(projector):
        await catch_up(projector, event_log)
    before, last = await snapshot(read_db), await event_log.last_sequence()
    # As a reconnect or a crash after commit would: already applied messages, cut into other batches.
    async for batch in event_log.batches(1, max_batch=7, until_seq=last):
        await projector._apply_batch(batch)
    assert await snapshot(read_db) == before
    # A second projector on the same database, forced back to the start of the log.
    second = Projector(event_log, read_db, all_projections())
    await second.create_schema()
    assert second.position == last
    second.position = 0
    async with running(second):
        await catch_up(second, event_log)
    assert await snapshot(read_db) == before


async def test_a_restarted_projector_resumes_from_its_checkpoint(
    deps, event_log, projector, read_db
) -> None:
    await send(deps, PROGRAMME[:HALF])
    async with running(projector):
        await catch_up(projector, event_log)
    stopped_at = projector.position
    await send(deps, PROGRAMME[HALF:])
    restarted = Projector(event_log, read_db, all_projections())
    await restarted.create_schema()
    assert restarted.position == stopped_at > 0
    async with running(restarted):
        await catch_up(restarted, event_log)
    assert await all_levels(read_db) == expected_levels()


async def test_a_failing_projection_commits_nothing_of_its_batch(
    deps, event_log, projector, read_db, monkeypatch
) -> None:
    await send(deps, PROGRAMME[:HALF])
    async with running(projector):
        await catch_up(projector, event_log)
    before, position = await snapshot(read_db), projector.position
    await send(deps, PROGRAMME[HALF:])
    # The directory is applied after figure_ledger: the fault strikes with the ledger's rows and
    # checkpoint already written in the batch's transaction. It strikes twice: once here, where
    # the database can be inspected, and once in the live loop, which must retry the batch. It is
    # the database's (an event a projection fails on is parked instead: test_parked_events.py).
    directory = projector.projections["children_directory"]
    faults = [OperationalError("injected fault", None, ConnectionError("lost")) for _ in range(2)]
    real_apply = directory.apply

    async def flaky_apply(conn, events):
        if faults:
            raise faults.pop()
        await real_apply(conn, events)

    monkeypatch.setattr(directory, "apply", flaky_apply)
    last = await event_log.last_sequence()
    async with contextlib.aclosing(event_log.batches(position + 1, until_seq=last)) as batches:
        batch = await anext(batches)
    with pytest.raises(OperationalError, match="injected fault"):
        await projector._apply_batch(batch)
    assert await snapshot(read_db) == before and projector.position == position
    async with running(projector):  # the live loop waits 1 s after a fault, then retries
        await catch_up(projector, event_log)
    assert not faults
    assert await all_levels(read_db) == expected_levels()


async def test_a_malformed_message_is_dead_lettered_and_later_events_applied(
    deps, event_log, nc, projector, read_db
) -> None:
    await send(deps, PROGRAMME[:HALF])
    ack = await nc.jetstream().publish(BAD_SUBJECT, b"{not json", stream=STREAM)
    await send(deps, PROGRAMME[HALF:])
    async with running(projector):
        await catch_up(projector, event_log)
    async with read_db.connect() as conn:
        [letter] = (await conn.execute(select(dead_letters))).all()
        marks = dict((await conn.execute(select(checkpoints.c.projection, checkpoints.c.last_seq))).all())
    assert (letter.seq, letter.subject) == (ack.seq, BAD_SUBJECT)
    assert "Envelope" in letter.reason
    last = await event_log.last_sequence()
    assert marks == {p.name: last for p in all_projections()}
    assert await all_levels(read_db) == expected_levels()


async def test_the_dead_letter_reason_says_what_is_wrong(event_log, nc, projector, read_db) -> None:
    js = nc.jetstream()
    not_json = await js.publish(BAD_SUBJECT, b"{not json", stream=STREAM)
    no_fields = await js.publish(BAD_SUBJECT, b"{}", stream=STREAM)
    async with running(projector):
        await catch_up(projector, event_log)
    async with read_db.connect() as conn:
        reasons = dict((await conn.execute(select(dead_letters.c.seq, dead_letters.c.reason))).all())
    assert "JSON" in reasons[not_json.seq] and "event_id" in reasons[no_fields.seq], reasons


async def test_an_event_whose_data_does_not_fit_its_type_is_dead_lettered(
    deps, event_log, nc, projector, read_db
) -> None:
    await send(deps, PROGRAMME[:HALF])
    good = (await event_log.load("child", "c-hz-1")).events[0]  # its ChildRegistered
    broken = good.envelope.model_copy(
        update={"event_id": uuid4(), "aggregate_id": "bad", "data": {"child_id": "bad"}})
    ack = await nc.jetstream().publish(BAD_SUBJECT, broken.model_dump_json().encode(), stream=STREAM)
    await send(deps, PROGRAMME[HALF:])
    async with running(projector):
        await catch_up(projector, event_log, timeout=3)
    async with read_db.connect() as conn:
        assert [row.seq for row in await conn.execute(select(dead_letters))] == [ack.seq]
    assert await all_levels(read_db) == expected_levels()


async def test_two_projectors_on_one_database_count_each_event_once(
    deps, event_log, projector, read_db, monkeypatch
) -> None:
    await send(deps, PROGRAMME)
    other = Projector(event_log, read_db, all_projections())
    await other.create_schema()
    # Both first batches meet inside figure_ledger, after each has read the checkpoints: the
    # interleaving two processes can hit by chance, made certain. A projector that locks its
    # checkpoints keeps the other out; the wait then ends after 2 s.
    arrived, both = [], asyncio.Event()
    for each in (projector, other):
        figures = each.projections["figure_ledger"]
        monkeypatch.setattr(figures, "apply", _meeting(figures.apply, arrived, both))
    async with running(projector), running(other):
        await catch_up(projector, event_log)
        await catch_up(other, event_log)
    assert await all_levels(read_db) == expected_levels()


def _meeting(apply, arrived: list, both: asyncio.Event):
    first = [True]

    async def meet_then_apply(conn, events):
        if first.pop() if first else False:
            arrived.append(1)
            if len(arrived) == 2:
                both.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(both.wait(), 2)
        await apply(conn, events)

    return meet_then_apply


async def test_replay_rebuilds_the_same_read_models(deps, event_log, projector, read_db) -> None:
    await send(deps, PROGRAMME)
    async with running(projector):
        await catch_up(projector, event_log)
        before, last = await snapshot(read_db), await event_log.last_sequence()
        reports = await projector.replay()  # with the live loop running: replay pauses it
        assert [(r.projection, r.events, r.equal, r.differences) for r in reports] == [
            (p.name, last, True, []) for p in all_projections()]
        assert await snapshot(read_db) == before
        # A read model gone wrong is found out by the comparison and repaired by the rebuild.
        async with read_db.begin() as conn:
            await conn.execute(update(ledger).values(delta=99))
        [report] = await projector.replay(["figure_ledger"])
    assert report.projection == "figure_ledger" and not report.equal
    assert report.differences and report.differences[0].startswith("figure_ledger:")
    assert await snapshot(read_db) == before
    assert await all_levels(read_db) == expected_levels()


async def test_children_directory_lists_the_subtree_and_erases_names(
    deps, event_log, keys, projector, read_db
) -> None:
    await send(deps, PROGRAMME)
    async with running(projector):
        await catch_up(projector, event_log)

    async def listed(code: str) -> list[tuple[str, str, str, bool]]:
        async with read_db.connect() as conn:
            rows = await children_in(conn, keys, parse_region(code))
        return [(r["child_id"], r["name"], r["region"], r["paired"]) for r in rows]

    paired = {"c-hz-1": True, "c-hz-2": True, "c-hz-3": True, "c-ch-1": True, "c-sc-1": False}  # p-sc ended
    everyone = sorted(((c, NAMES[c], REGIONS[c], paired[c]) for c in NAMES), key=lambda r: (r[2], r[0]))
    assert await listed("CN") == everyone
    assert await listed("4401") == [row for row in everyone if row[2].startswith("4401")]
    assert await listed("440105001101") == [("c-hz-1", "李小花", "440105001101", True),
                                            ("c-hz-2", "李小草", "440105001101", True)]
    assert await listed("51") == [("c-sc-1", "王小雨", "510623100003", False)]
    assert await listed("32") == []
    assert await keys.destroy("c-hz-1")
    assert await listed("440105001101") == [("c-hz-1", ERASED, "440105001101", True),
                                            ("c-hz-2", "李小草", "440105001101", True)]
