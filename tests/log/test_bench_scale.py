"""`aixin bench --scale` and `--national` at a tiny size (the benches themselves take minutes and
are never run here): the scale bench's registrations are appended through the event log as the
product appends, so each stands on its child's subject under its event id, loads as the child's
history, and appending the same log again stores nothing twice; the national history, rebuilt by
provinces in two processes, gives the same read models as one follower of the whole log; the
national bench writes its figures as it measures them and draws them."""

from __future__ import annotations

import json

import sqlalchemy as sa
from rich.console import Console

from contracts.regions import parse_region
from contracts.subjects import STREAM, event_subject
from services.projections import all_projections
from services.shared.db import make_engine
from services.shared.eventlog import EventLog
from services.shared.follower.applier import Applier
from services.shared.follower.projection import checkpoints, metadata
from tooling.bench.history import append_history
from tooling.bench.national import run_national
from tooling.bench.plot import plot
from tooling.bench.partitions import fresh_schema, rebuild_by_processes
from tooling.bench.queries import LEVELS, placed
from tooling.bench.scale import append_registrations

CHILDREN = 300


async def test_the_scale_bench_appends_its_log_through_the_event_log(nc, event_log: EventLog) -> None:
    await append_registrations(nc, CHILDREN)
    assert await event_log.last_sequence() == CHILDREN

    history = await event_log.load("child", "bench-7")
    assert [e.envelope.event_type for e in history.events] == ["ChildRegistered"]
    stored = history.events[0]
    assert stored.subject == event_subject(parse_region(placed(CHILDREN)[6]), "child", "bench-7")
    message = await nc.jetstream().get_msg(STREAM, stored.seq)
    assert message.headers["Nats-Msg-Id"] == str(stored.envelope.event_id)

    await append_registrations(nc, CHILDREN)  # the same log again: every registration is recognised as stored
    assert await event_log.last_sequence() == CHILDREN


HISTORY = 600  # events of the national history, about 44 children


async def _rows(db_url: str) -> dict[str, list[tuple]]:
    """Every read model's rows, each table's sorted: the checkpoints aside, and the tables that
    record when a read model last changed rather than what it holds (as a rebuild compares them)."""
    history = {t.name for p in all_projections() for t in getattr(p, "uncompared", ())}
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            found = {}
            for table in metadata.sorted_tables:
                if table.name not in {"projection_checkpoints", *history} and await conn.run_sync(
                        lambda sync, name=table.name: sa.inspect(sync).has_table(name)):
                    found[table.name] = sorted((await conn.execute(sa.select(table))).all(), key=repr)
            return found
    finally:
        await engine.dispose()


async def test_a_rebuild_by_provinces_in_processes_adds_up_to_one_follower_of_the_whole_log(
        nats_server, nc, event_log: EventLog, tmp_path) -> None:
    appended = await append_history(nc, HISTORY)
    last = await event_log.last_sequence()
    assert last == appended.events > HISTORY * 0.8
    assert len({v[:2] for v in appended.villages}) > 3  # several provinces, so several parts

    # The reference: the product's applier following the whole log, as the live projector does.
    whole = f"sqlite+aiosqlite:///{tmp_path}/whole.db"
    await fresh_schema(whole)
    engine = make_engine(whole)
    applier = Applier(event_log, engine, all_projections())
    async for batch in event_log.batches(1, until_seq=last):
        await applier._apply_batch(batch)
    await engine.dispose()
    reference = await _rows(whole)
    assert not reference["parked_events"] and not reference["projection_dead_letters"]
    assert reference["figure_ledger"] and reference["children_directory"]

    parts = f"sqlite+aiosqlite:///{tmp_path}/parts.db"
    figures = await rebuild_by_processes(nats_server.url, parts, appended.villages, 2, last)
    assert len(figures["each"]) == 2 and figures["peak_rss_mb"] > 0
    assert set(figures["apply_seconds"]) == {p.name for p in all_projections()}
    rebuilt = await _rows(parts)
    assert rebuilt == reference  # the national and provincial roll-ups included

    engine = make_engine(parts)
    async with engine.connect() as conn:
        marks = dict((await conn.execute(sa.select(checkpoints.c.projection, checkpoints.c.last_seq))).all())
    await engine.dispose()
    assert marks == {p.name: last for p in all_projections()}  # the parts' own checkpoints are gone


async def test_the_national_bench_writes_its_figures_as_it_goes_and_draws_them(tmp_path) -> None:
    path = tmp_path / "national.json"
    found = await run_national(300, Console(quiet=True), processes=(1,), figures_path=path, samples=3)
    written = json.loads(path.read_text())
    assert written == json.loads(json.dumps(found))
    assert written["append"]["events"] > 200 and written["append"]["stream_bytes"] > 0
    rebuilt = written["sqlite"]["rebuilds"][0]
    assert rebuilt["processes"] == 1 and rebuilt["seconds"] > 0 and len(rebuilt["load"]) == 3
    assert set(written["sqlite"]["stats_ms"]["p99"]) == set(LEVELS)
    assert written["sqlite"]["home"]["later_p50_ms"] > 0 and written["sqlite"]["database_bytes"] > 0

    png = plot([path], tmp_path / "cost.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
