"""Free text that can carry personal data, on a real nats-server through the endpoint layer: a wish's
item and its donor named in words are sealed with the child's key, a person donor's name with her
own; none stands in the nats store; readers open them for who may see them and show ERASED after
erasure, UNREADABLE for a forged value, never an exception. Events of the versions before (plaintext,
no forming date) are still read. A pair is formed on a day that can be, and cared for from it."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from uuid import uuid4

from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.privacy import ERASED, UNREADABLE, LegacyPlaintext, Sealed
from contracts.regions import parse_region
from contracts.subjects import STREAM, event_subject
from services.activity.giving.funds import donor_key
from services.projections import all_projections
from services.projections.fund_statement import fund_statement
from services.projections.pair_compliance.model import pairs as compliance_pairs
from services.shared.db import make_engine
from services.shared.follower.projection import dead_letters
from services.shared.follower.projector import Projector
from services.shared.sealed_text import text_of
from tests.conftest import NATIONAL
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import CHILD, COMMUNITY, error_of, ok, pairable_child, send, trained_volunteers

DISTRICT = "440105000000"


def nats_store(nats_server) -> bytes:
    return b"".join(p.read_bytes() for p in nats_server.store_dir.rglob("*") if p.is_file())


async def read_models(event_log, tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, engine, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    return engine


async def test_a_wishs_item_and_donor_are_sealed_with_the_childs_key_and_shredded_with_it(
        deps, event_log, keys, nats_server) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    wish_id = (await ok(deps, "submit_wish", child_id=child_id, item="李小花的粉色书包",
                        estimated_cost_yuan=80))["wish_id"]
    await ok(deps, "fulfil_wish", wish_id=wish_id, donor="张阿姨")
    stored = nats_store(nats_server)
    assert wish_id.encode() in stored  # the scan sees the wish's events
    for text in ("李小花的粉色书包", "张阿姨"):
        assert text.encode() not in stored, f"{text} is stored in plaintext"

    submitted, fulfilled = [e.event for e in (await event_log.load("wish", wish_id)).events]
    assert submitted.item.key_id == child_id == fulfilled.donor.key_id
    assert await text_of(keys, submitted.item, "item") == "李小花的粉色书包"
    assert (await text_of(keys, fulfilled.donor, "donor"), fulfilled.donor_id) == ("张阿姨", None)
    forged = Sealed(key_id=child_id, nonce=base64.b64encode(b"0" * 12).decode(),
                    ciphertext=base64.b64encode(b"not sealed with her key").decode())
    assert await text_of(keys, forged, "item") == UNREADABLE  # said, not raised

    await ok(deps, "erase_child_data", child_id=child_id, requested_by="guardian")
    assert [await text_of(keys, submitted.item, "item"), await text_of(keys, fulfilled.donor, "donor")] == [
        ERASED, ERASED]
    refused = await send(deps, "submit_wish", child_id=child_id, item="新书包", estimated_cost_yuan=10)
    assert error_of(refused)[0] == "rule_violated" and "erased" in refused.error.message


async def test_a_person_donors_name_is_sealed_with_her_own_key_an_organisations_stands_plain(
        deps, event_log, keys, nats_server, tmp_path) -> None:
    person = (await ok(deps, "register_donor", region=DISTRICT, name="张爱心", individual=True))["donor_id"]
    company = (await ok(deps, "register_donor", region=DISTRICT, name="某爱心企业"))["donor_id"]
    fund_id = (await ok(deps, "open_fund", opened_on="2025-09-01", region=DISTRICT, name="海珠爱心基金"))["fund_id"]
    for donor_id in (person, company):
        await ok(deps, "receive_donation", fund_id=fund_id, donor_kind="enterprise", donor_id=donor_id,
                 amount_yuan="100", received_on="2026-05-01")
    assert "张爱心".encode() not in nats_store(nats_server)
    [registered] = [e.event for e in (await event_log.load("donor", person)).events]
    assert (registered.individual, registered.name, registered.personal.key_id) == (True, None, donor_key(person))

    engine = await read_models(event_log, tmp_path)
    async with engine.connect() as conn:
        shown = [line["party_name"] for line in (await fund_statement(conn, fund_id))["lines"]]
        opened = [line["party_name"] for line in (await fund_statement(conn, fund_id, keys))["lines"]]
        await keys.destroy(donor_key(person))  # her erasure: only her key, no child's, no one else's
        erased = [line["party_name"] for line in (await fund_statement(conn, fund_id, keys))["lines"]]
    await engine.dispose()
    assert shown == [None, "某爱心企业"]  # no key store passed: a reader who sees no personal data
    assert opened == ["张爱心", "某爱心企业"]
    assert erased == [ERASED, "某爱心企业"]


def old_event(event_type: str, aggregate_type: str, aggregate_id: str, data: dict, on: date) -> Envelope:
    at = datetime(on.year, on.month, on.day, 10, 0, tzinfo=UTC)
    return Envelope(event_id=uuid4(), event_type=event_type, schema_version=1, aggregate_type=aggregate_type,
                    aggregate_id=aggregate_id, aggregate_version=1, occurred_at=at, recorded_at=at, actor=NATIONAL,
                    region=COMMUNITY if aggregate_type != "donor" else DISTRICT, correlation_id="old",
                    causation_id=f"old-{aggregate_id}", data=data)


async def test_events_of_the_earlier_versions_are_still_read(deps, event_log, keys, nc, tmp_path) -> None:
    child_id = await pairable_child(deps)
    [volunteer_id] = await trained_volunteers(deps)
    js = nc.jetstream()
    for envelope in (
        old_event("WishSubmitted", "wish", "w-old", {"wish_id": "w-old", "child_id": child_id, "region": COMMUNITY,
                                                     "item": "书包", "category": "study", "estimated_cost_yuan": 80},
                  date(2026, 4, 1)),
        old_event("PairFormed", "pair", "p-old", {"pair_id": "p-old", "mode": "one_to_one", "region": COMMUNITY,
                                                  "child_ids": [child_id], "volunteer_ids": [volunteer_id]},
                  date(2026, 5, 10)),
        old_event("DonorRegistered", "donor", "d-old", {"donor_id": "d-old", "region": DISTRICT,
                                                        "name": "老爱心企业"}, date(2026, 4, 1)),
    ):
        region = parse_region(envelope.region)
        await js.publish(event_subject(region, envelope.aggregate_type, envelope.aggregate_id),
                         envelope.model_dump_json().encode(), stream=STREAM)

    [wish] = [e.event for e in (await event_log.load("wish", "w-old")).events]
    assert (wish.item, await text_of(keys, wish.item, "item")) == (LegacyPlaintext(plaintext="书包"), "书包")
    await ok(deps, "approve_wish", wish_id="w-old")  # its history folds as before
    # The v1 pair was formed the day it was recorded: care for it is logged from then on.
    visit = {"pair_id": "p-old", "kind": "home_visit", "duration_minutes": 30}
    early = await send(deps, "log_visit", visited_on="2026-05-09", **visit)
    assert error_of(early) == ("invalid", [["visited_on"]])
    assert "2026-05-09 is before pair p-old was formed (2026-05-10)" in early.error.message
    await ok(deps, "log_visit", visited_on="2026-05-10", **visit)

    fund_id = (await ok(deps, "open_fund", opened_on="2025-09-01", region=DISTRICT, name="海珠爱心基金"))["fund_id"]
    await ok(deps, "receive_donation", fund_id=fund_id, donor_kind="enterprise", donor_id="d-old",
             amount_yuan="10", received_on="2026-05-01")
    engine = await read_models(event_log, tmp_path)
    async with engine.connect() as conn:
        [line] = (await fund_statement(conn, fund_id))["lines"]
        formed = (await conn.execute(select(compliance_pairs.c.formed_on)
                                     .where(compliance_pairs.c.pair_id == "p-old"))).scalar_one()
        dead = (await conn.execute(select(dead_letters.c.reason))).scalars().all()
    await engine.dispose()
    assert line["party_name"] == "老爱心企业" and formed == date(2026, 5, 10) and dead == []


async def test_a_pair_is_formed_on_a_day_that_can_be_and_cared_for_from_that_day(deps, event_log) -> None:
    child_id = await pairable_child(deps)  # born 2016-03-08; today is 2026-06-01
    volunteers = await trained_volunteers(deps, 2)
    pair = {"child_ids": [child_id], "volunteer_ids": volunteers[:1]}
    future = await send(deps, "form_pair", formed_on="2026-06-02", **pair)
    assert error_of(future) == ("invalid", [["formed_on"]]) and "in the future" in future.error.message
    unborn = await send(deps, "form_pair", formed_on="2016-03-07", **pair)
    assert error_of(unborn) == ("invalid", [["formed_on"]])
    assert f"2016-03-07 is before child {child_id} was born (2016-03-08)" in unborn.error.message

    pair_id = (await ok(deps, "form_pair", formed_on="2026-05-10", **pair))["pair_id"]
    [formed] = [e.event for e in (await event_log.load("pair", pair_id)).events]
    assert formed.formed_on == date(2026, 5, 10)
    for command, field in (("log_visit", "visited_on"), ("log_activity", "held_on")):
        early = await send(deps, command, pair_id=pair_id, kind="reading", duration_minutes=30,
                           **{field: "2026-05-09"})
        assert error_of(early) == ("invalid", [[field]]), early.error
        assert "2026-05-09 is before pair" in early.error.message and "formed (2026-05-10)" in early.error.message
        await ok(deps, command, pair_id=pair_id, kind="reading", duration_minutes=30, **{field: "2026-05-10"})

    await ok(deps, "end_pair", pair_id=pair_id, reason="moved")
    today = (await ok(deps, "form_pair", child_ids=[child_id], volunteer_ids=volunteers[1:]))["pair_id"]
    [formed] = [e.event for e in (await event_log.load("pair", today)).events]
    assert formed.formed_on == date(2026, 6, 1)  # by default, the day of the command (the clock's)
