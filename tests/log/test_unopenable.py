"""Sealed personal data that does not open although its key stands (forged, or damaged) is reported
where it stands — by `unopenable_in`, GET /operations/unreadable and `aixin doctor` — beside the
messages that are not events at all; an erased person's data, unreadable on purpose, is not."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from uuid import uuid4

from typer.testing import CliRunner

from contracts.accounts import Role
from contracts.envelope import Envelope
from contracts.intake.registration import ChildCategory, ChildRegistered, Sex
from contracts.privacy import Sealed
from contracts.regions import parse_region
from contracts.subjects import STREAM, event_subject
from services.cli import doctor as doctor_module
from services.cli.app import app
from services.projections import all_projections
from services.shared.db import make_engine
from services.shared.follower.projector import Projector
from services.shared.unopenable import sealed_values, unopenable_in
from tests.conftest import NATIONAL
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import CHILD, COMMUNITY, ok

NONCE = base64.b64encode(b"0" * 12).decode()


async def forge(nc, child_id: str, personal: Sealed | dict) -> int:
    """A ChildRegistered on the child's subject whose `personal` is `personal`; its stream sequence."""
    event = ChildRegistered(child_id=child_id, region=COMMUNITY, sex=Sex.female,
                            birth_date=datetime(2016, 1, 1).date(), category=ChildCategory.left_behind,
                            subtype=None, guardian_relation=None, guardian=None,
                            personal=Sealed(key_id="x", nonce=NONCE, ciphertext=NONCE))
    now = datetime.now(UTC)
    data = {**event.model_dump(mode="json"), "personal": personal if isinstance(personal, dict)
            else personal.model_dump(mode="json")}
    envelope = Envelope(event_id=uuid4(), event_type="ChildRegistered", schema_version=1, aggregate_type="child",
                        aggregate_id=child_id, aggregate_version=1, occurred_at=now, recorded_at=now,
                        actor=NATIONAL, region=COMMUNITY, correlation_id="x", causation_id="x", data=data)
    ack = await nc.jetstream().publish(event_subject(parse_region(COMMUNITY), "child", child_id),
                                       envelope.model_dump_json().encode(), stream=STREAM)
    return ack.seq


def test_sealed_values_are_found_wherever_they_are_in_an_events_data() -> None:
    sealed = {"key_id": "c1", "nonce": "n", "ciphertext": "c"}
    data = {"personal": sealed, "rows": [{"guardian": sealed}, {"other": 1}], "note": "x"}
    assert [path for path, _ in sealed_values(data)] == ["personal", "rows.0.guardian"]


async def test_only_sealed_data_that_does_not_open_with_a_standing_key_is_reported(deps, event_log, nc) -> None:
    real = (await ok(deps, "register_child", **CHILD))["child_id"]
    erased = (await ok(deps, "register_child", **{**CHILD, "id_number": None, "name": "王小明"}))["child_id"]
    await ok(deps, "erase_child_data", child_id=erased, requested_by="guardian")
    garbage = base64.b64encode(b"garbage, not sealed with it").decode()
    forged = await forge(nc, "forged1", Sealed(key_id=real, nonce=NONCE, ciphertext=garbage))
    keyless = await forge(nc, "forged2", Sealed(key_id="nobody", nonce=NONCE, ciphertext=garbage))
    broken = await forge(nc, "forged3", {"key_id": real, "nonce": "not base64!", "ciphertext": garbage})
    await nc.jetstream().publish(event_subject(parse_region(COMMUNITY), "child", "junk"), b"\xff", stream=STREAM)

    found = await unopenable_in(event_log, deps.keys, parse_region("44"))
    assert [(e["seq"], e["aggregate_type"], e["aggregate_id"], e["region"]) for e in found] == [
        (forged, "child", "forged1", COMMUNITY), (keyless, "child", "forged2", COMMUNITY),
        (broken, "child", "forged3", COMMUNITY)]
    reasons = [e["reason"] for e in found]
    assert reasons[0] == f"sealed personal: it does not open with the key of {real} (forged, or damaged)"
    assert reasons[1] == "sealed personal: no key was ever made for 'nobody'"
    assert reasons[2].startswith(f"sealed personal: it cannot be opened with the key of {real}")
    assert await unopenable_in(event_log, deps.keys, parse_region("51")) == []  # Sichuan's log is clean


async def test_an_empty_log_has_nothing_unopenable(deps, event_log) -> None:
    assert await unopenable_in(event_log, deps.keys, parse_region("CN")) == []


async def test_the_api_reports_both_kinds_in_log_order(deps, event_log, nc, tmp_path) -> None:
    from services.api.app import create_api
    from tests.e2e.test_http_api import signed_in_client

    real = (await ok(deps, "register_child", **CHILD))["child_id"]
    bad = await nc.jetstream().publish((await event_log.load("child", real)).subject, b"\xff not json", stream=STREAM)
    forged = await forge(nc, "forged1", Sealed(key_id=real, nonce=NONCE, ciphertext=NONCE))
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, engine, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    api = create_api(nc, event_log, engine, deps.keys)
    try:
        async with signed_in_client(api, event_log, tmp_path, roles=(Role.admin,)) as http:
            reply = await http.get("/operations/unreadable")
    finally:
        await engine.dispose()
    assert reply.status_code == 200, reply.text
    assert [(e["seq"], e["kind"], e["aggregate_id"]) for e in reply.json()["unreadable"]] == [
        (bad.seq, "message", real), (forged, "sealed", "forged1")]


def test_doctor_tells_both_kinds_apart_and_exits_1(monkeypatch) -> None:
    entries = [{"seq": 7, "subject": "s", "aggregate_type": "child", "aggregate_id": "c1", "region": COMMUNITY,
                "reason": "Invalid JSON", "kind": "message"},
               {"seq": 9, "subject": "s", "aggregate_type": "child", "aggregate_id": "forged1", "region": COMMUNITY,
                "reason": "sealed personal: it does not open with the key of c1 (forged, or damaged)", "kind": "sealed"}]
    monkeypatch.setattr(doctor_module, "call", lambda *a, **k: {"office": "CN", "unreadable": entries})
    monkeypatch.setattr(doctor_module.console, "width", 250)  # a table row on one line
    result = CliRunner().invoke(app, ["doctor"])
    out = " ".join(result.output.split())
    assert result.exit_code == 1, out
    assert "child forged1" in out and "does not open with the key of c1" in out
    assert "refused (409)" in out and "personal data that does not open" in out
