"""An event a read model fails on is parked, and the later events of its aggregate are held behind
it, while every other aggregate's events flow on and the checkpoint advances; `retry` applies them
again in order once the read model is fixed, `skip` drops one, recorded in the log with who and
why, and releases those held behind it. On SQLite and PostgreSQL, over a real nats-server; nothing
is applied twice, and a rebuild comes to the same rows (it honours the skip it finds in the log).
"""

from __future__ import annotations

import json

import pytest
from faststream.nats import NatsBroker
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.accounts import Role
from contracts.intake.child_file import ChildNeedsSurveyed, GuardianConsentGiven
from contracts.envelope import Actor, FederationLevel
from contracts.intake.registration import ChildRegistered
from contracts.operations import ParkedEventSkipped
from contracts.regions import parse_region
from services.projections.admin import RETRY, SKIP, admin_router
from services.projections.children_directory import ChildrenDirectory
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent
from services.shared.follower.applier import read_checkpoints
from services.shared.follower.projection import parked
from services.shared.follower.projector import Projector
from services.shared.follower.unreadable import parked_in
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import CHILD, ok
from tests.log.test_projections import _fresh_postgres_database, read_db  # noqa: F401  (a fixture)

SURVEY = {"needs": ["family_affection"], "surveyed_on": "2026-05-01"}
CONSENT = {"relation": "grandparent", "given_by": "李大山", "scopes": ["pairing"], "given_on": "2026-05-01"}
GUANGDONG_ADMIN = Actor(operator_id="admin-gd", level=FederationLevel.province, region="440000000000", role="admin")
SICHUAN_ADMIN = Actor(operator_id="admin-sc", level=FederationLevel.province, region="510000000000", role="admin")

seen = Table("fussy_seen", MetaData(),
             Column("seq", Integer, primary_key=True), Column("child_id", String(64), nullable=False),
             Column("event_type", String(64), nullable=False), Column("times", Integer, nullable=False))


class Fussy:
    """Counts every event it applies (`times`: 1, or it was applied twice), and raises on a survey
    of a child in `breaks`, or on an event whose stream sequence is in it: a bug to fix."""

    name = "fussy"
    tables = (seen,)
    handles = frozenset({ChildRegistered, ChildNeedsSurveyed, GuardianConsentGiven})

    def __init__(self) -> None:
        self.breaks: set = set()

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        counted = upsert(conn.dialect.name, seen)
        counted = counted.on_conflict_do_update(index_elements=["seq"], set_={"times": seen.c.times + 1})
        for stored in events:
            envelope = stored.envelope
            await conn.execute(counted.values(seq=stored.seq, child_id=envelope.aggregate_id,
                                              event_type=envelope.event_type, times=1))
            survey = isinstance(stored.event, ChildNeedsSurveyed) and envelope.aggregate_id in self.breaks
            if survey or stored.seq in self.breaks:
                raise RuntimeError(f"cannot apply {stored.seq} yet")


@pytest.fixture
async def projector(event_log, read_db):  # noqa: F811
    fussy = Fussy()
    projector = Projector(event_log, read_db, [ChildrenDirectory(), fussy])
    await projector.create_schema()
    async with read_db.begin() as conn:
        await conn.run_sync(seen.metadata.create_all)
    return projector


async def register(deps, child_id: str) -> None:
    await ok(deps, "register_child", **{**CHILD, "id_number": None, "child_id": child_id})


async def last_seq(event_log) -> int:
    return await event_log.last_sequence()


async def parked_rows(projector: Projector) -> list[tuple]:
    async with projector.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(
            select(parked.c.seq, parked.c.aggregate_id, parked.c.held_behind, parked.c.error)
            .where(parked.c.projection == "fussy").order_by(parked.c.seq))]


async def parked_since(projector: Projector):
    async with projector.engine.connect() as conn:
        return (await conn.execute(select(func.min(parked.c.parked_at)))).scalar()


async def applied(projector: Projector) -> dict[str, list[int]]:
    """The sequences Fussy applied, by child; each exactly once."""
    async with projector.engine.connect() as conn:
        rows = (await conn.execute(select(seen).order_by(seen.c.seq))).all()
    assert {row.times for row in rows} <= {1}, rows
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(row.child_id, []).append(row.seq)
    return found


async def test_a_failing_event_is_parked_its_aggregate_held_and_released_by_retry_and_skip(
        projector, deps, event_log) -> None:
    fussy = projector.projections["fussy"]
    fussy.breaks = {"c1"}
    # Written before the projector starts: its first batch holds them all, both children's.
    await register(deps, "c1")
    registered = await last_seq(event_log)
    await register(deps, "c2")
    await ok(deps, "survey_needs", child_id="c1", **SURVEY)
    bad = await last_seq(event_log)
    await ok(deps, "record_consent", child_id="c1", **CONSENT)
    held = await last_seq(event_log)
    await ok(deps, "survey_needs", child_id="c2", **SURVEY)
    await ok(deps, "record_consent", child_id="c2", **CONSENT)
    async with running(projector):
        await catch_up(projector, event_log)
        # A later batch holds c1 too: its aggregate has a parked event.
        await ok(deps, "survey_needs", child_id="c1", **SURVEY)
        later = await last_seq(event_log)
        await ok(deps, "survey_needs", child_id="c2", **SURVEY)
        await catch_up(projector, event_log)

        assert await parked_rows(projector) == [
            (bad, "c1", None, f"RuntimeError: cannot apply {bad} yet"),
            (held, "c1", bad, f"held behind seq {bad}"), (later, "c1", bad, f"held behind seq {bad}")]
        assert (await applied(projector))["c1"] == [registered]
        assert len((await applied(projector))["c2"]) == 4  # every event of the other child
        async with projector.engine.connect() as conn:
            assert set((await read_checkpoints(conn, projector.projections)).values()) == {await last_seq(event_log)}
            listed = await parked_in(conn, parse_region("44"))
            assert [(e["seq"], e["event_type"], e["region"]) for e in listed][0] == (bad, "ChildNeedsSurveyed", CHILD["region"])
            assert await parked_in(conn, parse_region("51")) == []

        # A rebuild with the same code parks the same events, which the swap makes the live ones.
        parked_before, when = await parked_rows(projector), await parked_since(projector)
        [report] = await projector.replay(["fussy"])
        assert report.equal, report.differences
        assert await parked_rows(projector) == parked_before and await parked_since(projector) > when

        # Not fixed yet: retrying changes nothing but the time.
        assert await projector.retry() == {"applied": 0, "still_parked": 3}
        fussy.breaks = set()  # the fix ships
        assert await projector.retry(["fussy"], ("child", "c1")) == {"applied": 3, "still_parked": 0}
        assert await parked_rows(projector) == []
        assert (await applied(projector))["c1"] == [registered, bad, held, later]

        # Skip: c2's next survey fails, the one after is held; the operator drops the first.
        fussy.breaks = {"c2"}
        await ok(deps, "survey_needs", child_id="c2", **SURVEY)
        dropped = await last_seq(event_log)
        await ok(deps, "survey_needs", child_id="c2", **SURVEY)
        behind = await last_seq(event_log)
        await catch_up(projector, event_log)
        fussy.breaks = {dropped}  # only that one stays unappliable
        assert [r[:3] for r in await parked_rows(projector)] == [(dropped, "c2", None), (behind, "c2", dropped)]
        with pytest.raises(PermissionError):
            await projector.skip("fussy", dropped, "entered twice by mistake", SICHUAN_ADMIN)
        answer = await projector.skip("fussy", dropped, "entered twice by mistake", GUANGDONG_ADMIN)
        assert answer["still_parked"] == 0 and not answer["duplicate"]
        assert await parked_rows(projector) == []
        assert dropped not in (await applied(projector))["c2"] and behind in (await applied(projector))["c2"]
        with pytest.raises(LookupError):
            await projector.skip("fussy", dropped, "again", GUANGDONG_ADMIN)

    [record] = (await event_log.load("parked_event", f"fussy-{dropped}")).events
    assert record.seq == answer["recorded_at_seq"] and record.envelope.actor == GUANGDONG_ADMIN
    skipped = record.event
    assert isinstance(skipped, ParkedEventSkipped)
    assert (skipped.projection, skipped.seq, skipped.reason, skipped.region) == (
        "fussy", dropped, "entered twice by mistake", CHILD["region"])
    assert skipped.error == f"RuntimeError: cannot apply {dropped} yet"

    # A rebuild applies the log again with the same code: it parks the same event, meets the skip
    # and releases what was behind it, and comes to the same rows, nothing parked.
    before = await applied(projector)
    async with running(projector):
        [report] = await projector.replay(["fussy"])
    assert report.equal, report.differences
    assert await applied(projector) == before and await parked_rows(projector) == []


async def test_the_admin_subjects_retry_and_skip_and_the_api_lists_what_is_parked(
        nats_server, nc, projector, deps, event_log, tmp_path) -> None:
    from services.api.app import create_api
    from tests.e2e.test_http_api import signed_in_client

    fussy = projector.projections["fussy"]
    fussy.breaks = {"c1"}
    broker = NatsBroker(nats_server.url, logger=None)
    broker.include_router(admin_router(projector, event_log))
    await broker.start()
    try:
        async with running(projector):
            await register(deps, "c1")
            await ok(deps, "survey_needs", child_id="c1", **SURVEY)
            bad = await last_seq(event_log)
            await catch_up(projector, event_log)
            api = create_api(nc, event_log, projector.engine, deps.keys)
            async with signed_in_client(api, event_log, tmp_path, roles=(Role.admin,)) as http:
                reply = await http.get("/operations/parked")
            assert reply.status_code == 200, reply.text
            [entry] = reply.json()["parked"]
            assert (entry["projection"], entry["seq"], entry["aggregate_id"], entry["held_behind"]) == ("fussy", bad, "c1", None)

            async def ask(subject: str, payload: dict) -> dict:
                return json.loads((await nc.request(subject, json.dumps(payload).encode(), timeout=30)).data)

            assert (await ask(RETRY, {"aggregate": "c1"}))["ok"] is False  # not TYPE:ID
            assert await ask(RETRY, {"projections": ["fussy"]}) == {"ok": True, "applied": 0, "still_parked": 1}
            refused = await ask(SKIP, {"projection": "fussy", "seq": bad, "reason": "test", "actor": {"operator_id": "x"}})
            assert refused["ok"] is False and "bad request" in refused["error"]
            actor = GUANGDONG_ADMIN.model_dump(mode="json")
            skipped = await ask(SKIP, {"projection": "fussy", "seq": bad, "reason": "a test child", "actor": actor})
            assert skipped["ok"] and skipped["still_parked"] == 0, skipped
            assert (await ask(SKIP, {"projection": "fussy", "seq": bad, "reason": "x", "actor": actor}))["ok"] is False
    finally:
        await broker.stop()
    assert await parked_rows(projector) == [] and (await applied(projector))["c1"] == [bad - 1]


def test_doctor_shows_parked_events_and_skip_sends_who_and_why(monkeypatch) -> None:
    from typer.testing import CliRunner

    from services.cli import doctor as doctor_module, parked as parked_module
    from services.cli.app import app

    entry = {"projection": "fussy", "seq": 7, "subject": "s", "event_type": "ChildNeedsSurveyed",
             "aggregate_type": "child", "aggregate_id": "c1", "region": CHILD["region"], "held_behind": None,
             "error": "RuntimeError: cannot apply 7 yet", "parked_at": "2026-05-01T00:00:00"}
    answers = {"/operations/unreadable": {"office": "CN", "unreadable": []}, "/operations/parked": {"parked": [entry]},
               "/auth/me": {"username": "admin-gd", "office": "440000000000", "level": "province", "roles": ["admin"]}}
    monkeypatch.setattr(doctor_module, "call", lambda _dir, _method, path, **_: answers[path])
    monkeypatch.setattr(parked_module, "call", lambda _dir, _method, path, **_: answers[path])
    monkeypatch.setattr(doctor_module.console, "width", 250)
    result = CliRunner().invoke(app, ["doctor"])
    out = " ".join(result.output.split())
    assert result.exit_code == 1, out
    assert "fussy │ 7 │ ChildNeedsSurveyed │ child c1 │" in out and "cannot apply 7 yet" in out and "doctor retry" in out

    sent = []

    async def ask(_dir, subject, payload):
        sent.append((subject, payload))
        if subject == SKIP:
            return {"ok": True, "recorded_at_seq": 12, "duplicate": False, "aggregate": "child:c1", "still_parked": 0}
        return {"ok": True, "applied": 2, "still_parked": 1}

    monkeypatch.setattr(parked_module, "_ask", ask)
    result = CliRunner().invoke(app, ["doctor", "skip", "7", "--projection", "fussy", "--reason", "entered twice"])
    assert result.exit_code == 0, result.output
    assert sent[-1] == (SKIP, {"projection": "fussy", "seq": 7, "reason": "entered twice", "actor": {
        "operator_id": "admin-gd", "level": "province", "region": "440000000000", "role": "admin"}})
    assert "recorded at stream sequence 12" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["doctor", "retry", "--projection", "fussy", "--aggregate", "child:c1"])
    assert result.exit_code == 1 and "2 parked events applied; 1 still parked" in result.output
    assert sent[-1] == (RETRY, {"projections": ["fussy"], "aggregate": "child:c1"})
    assert CliRunner().invoke(app, ["doctor", "retry", "--aggregate", "c1"]).exit_code == 2
    answers["/auth/me"]["roles"] = ["caseworker"]
    assert CliRunner().invoke(app, ["doctor", "skip", "7", "--projection", "fussy", "--reason", "x"]).exit_code == 1
