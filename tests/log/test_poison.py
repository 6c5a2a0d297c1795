"""A message that cannot be read never breaks an aggregate or a listing: commands on that one
aggregate are refused with where the message stands, listings show the rest."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from uuid import uuid4

from contracts.accounts import Role
from contracts.envelope import Envelope
from contracts.intake.registration import ChildCategory, ChildRegistered, Sex
from contracts.privacy import UNREADABLE, Sealed
from contracts.regions import parse_region
from contracts.replies import ErrorCode
from contracts.subjects import STREAM, event_subject
from services.projections import all_projections
from services.projections.children_directory import children_in
from services.shared.db import make_engine
from services.shared.follower.projector import Projector
from tests.conftest import NATIONAL
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import CHILD, COMMUNITY, error_of, ok, send

SURVEY = {"needs": ["family_affection"], "surveyed_on": "2026-05-01"}


async def test_a_message_that_is_not_an_event_refuses_its_aggregates_commands_saying_where(deps, event_log, nc) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    subject = (await event_log.load("child", child_id)).subject
    ack = await nc.jetstream().publish(subject, b"\xff not json", stream=STREAM)
    reply = await send(deps, "survey_needs", child_id=child_id, **SURVEY)
    code, _ = error_of(reply)
    assert code is ErrorCode.conflict, reply.error
    assert f"child {child_id}" in reply.error.message and f"stream sequence {ack.seq}" in reply.error.message
    other = (await ok(deps, "register_child", **{**CHILD, "id_number": None, "name": "王小明"}))["child_id"]
    assert (await send(deps, "survey_needs", child_id=other, **SURVEY)).ok  # every other child as before


async def test_an_event_whose_data_does_not_fit_its_type_refuses_too(deps, event_log, nc) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    stored = (await event_log.load("child", child_id)).events[0]
    broken = stored.envelope.model_copy(update={"event_id": uuid4(), "aggregate_version": 2,
                                                "event_type": "ChildRiskAssessed", "data": {"tier": "purple"}})
    ack = await nc.jetstream().publish(stored.subject, broken.model_dump_json().encode(), stream=STREAM)
    reply = await send(deps, "survey_needs", child_id=child_id, **SURVEY)
    assert error_of(reply)[0] is ErrorCode.conflict and f"stream sequence {ack.seq}" in reply.error.message


async def test_a_name_that_cannot_be_opened_is_listed_as_unreadable_and_the_rest_as_usual(
        deps, event_log, nc, tmp_path) -> None:
    real = (await ok(deps, "register_child", **CHILD))["child_id"]
    forged = ChildRegistered(
        child_id="forged1", region=COMMUNITY, sex=Sex.female, birth_date=datetime(2016, 1, 1).date(),
        category=ChildCategory.left_behind, subtype=None, guardian_relation=None, guardian=None,
        personal=Sealed(key_id=real, nonce=base64.b64encode(b"0" * 12).decode(),  # a real key, forged data
                        ciphertext=base64.b64encode(b"garbage, not sealed with it").decode()))
    now = datetime.now(UTC)
    envelope = Envelope(event_id=uuid4(), event_type="ChildRegistered", schema_version=1, aggregate_type="child",
                        aggregate_id="forged1", aggregate_version=1, occurred_at=now, recorded_at=now,
                        actor=NATIONAL, region=COMMUNITY, correlation_id="x", causation_id="x",
                        data=forged.model_dump(mode="json"))
    await nc.jetstream().publish(event_subject(parse_region(COMMUNITY), "child", "forged1"),
                                 envelope.model_dump_json().encode(), stream=STREAM)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, engine, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    async with engine.connect() as conn:
        listed = {row["child_id"]: row["name"] for row in await children_in(conn, deps.keys, parse_region("44"))}
    await engine.dispose()
    assert listed == {real: CHILD["name"], "forged1": UNREADABLE}


async def test_the_unreadable_messages_are_reported_where_they_stand_within_the_subtree(
        deps, event_log, nc, tmp_path) -> None:
    from services.api.app import create_api
    from services.shared.follower.unreadable import unreadable_in
    from tests.e2e.test_http_api import signed_in_client

    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    subject = (await event_log.load("child", child_id)).subject
    bad = await nc.jetstream().publish(subject, b"\xff not json", stream=STREAM)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, engine, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    async with engine.connect() as conn:
        assert await unreadable_in(conn, parse_region("51")) == []  # Sichuan's log is clean
    api = create_api(nc, event_log, engine, deps.keys)
    async with signed_in_client(api, event_log, tmp_path, roles=(Role.admin,)) as http:
        reply = await http.get("/operations/unreadable")
    await engine.dispose()
    assert reply.status_code == 200, reply.text
    [entry] = reply.json()["unreadable"]
    assert (entry["seq"], entry["aggregate_type"], entry["aggregate_id"], entry["region"]) == (
        bad.seq, "child", child_id, COMMUNITY)
    assert "Invalid JSON" in entry["reason"] or "JSON" in entry["reason"]
