"""Commands end to end through the endpoint layer (`execute` with each service's route table) on a real
nats-server: replies for every outcome, idempotent retries, concurrency, and no plaintext on disk."""

from __future__ import annotations

import asyncio
import json
from typing import Any


from contracts.envelope import Actor, FederationLevel
from contracts.replies import ErrorCode, Reply
from services.activity.app import ROUTES as ACTIVITY
from services.intake.app import ROUTES as INTAKE
from services.pairing.app import ROUTES as PAIRING
from services.shared.endpoints import execute
from tests.conftest import NATIONAL

ROUTES = {**INTAKE, **PAIRING, **ACTIVITY}
COMMUNITY = "440105001101"  # 下渡社区, 赤岗街道, 海珠区, 广州 (Guangdong 44)
CHILD = {"region": COMMUNITY, "name": "李小花", "sex": "female", "birth_date": "2016-03-08",
         "category": "left_behind", "id_number": "440105201603080020",
         "guardian": {"relation": "grandparent", "name": "李大山", "phone": "13800000000"},
         "registered_on": "2025-09-01"}  # on file before the dated facts the tests give
MOTHER = {"region": "440105001102", "name": "王芳", "sex": "female", "kind": "mother", "recruited_on": "2025-09-01"}


async def send_raw(deps, command: str, body: bytes) -> Reply:
    model, handler = ROUTES[command]
    return await execute(deps, model, handler, body)


async def send(deps, command: str, /, actor=NATIONAL, **fields: Any) -> Reply:
    return await send_raw(deps, command, json.dumps({"actor": actor.model_dump(mode="json"), **fields}).encode())


async def ok(deps, command: str, /, **fields: Any) -> dict[str, Any]:
    reply = await send(deps, command, **fields)
    assert reply.ok, reply.error
    return reply.result


def error_of(reply: Reply) -> tuple[ErrorCode, list]:
    assert not reply.ok and reply.error
    return reply.error.code, [d.loc for d in reply.error.details]


async def pairable_child(deps) -> str:
    """A registered child of 10 whose guardian consented to pairing."""
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    await ok(deps, "record_consent", child_id=child_id, relation="grandparent", given_by="李大山",
             scopes=["pairing", "data_sharing"], given_on="2026-05-01")
    return child_id


async def trained_volunteers(deps, count: int = 1) -> list[str]:
    ids = [(await ok(deps, "recruit_volunteer", **MOTHER))["volunteer_id"] for _ in range(count)]
    await ok(deps, "record_training", topic="minors_protection_law", held_on="2026-05-02", volunteer_ids=ids)
    return ids


async def event_types(event_log, aggregate_type: str, aggregate_id: str) -> list[str]:
    return [e.envelope.event_type for e in (await event_log.load(aggregate_type, aggregate_id)).events]


async def test_register_child_starts_its_history(deps, event_log) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    [stored] = (await event_log.load("child", child_id)).events
    assert (stored.envelope.event_type, stored.envelope.aggregate_version) == ("ChildRegistered", 1)
    assert stored.envelope.region == COMMUNITY
    assert stored.subject == f"aixin.evt.44.4401.440105.440105001.{COMMUNITY}.child.{child_id}"


async def test_a_child_and_her_guardian_get_their_keys_in_one_write_to_the_key_store(deps, monkeypatch) -> None:
    writes = []
    create = deps.keys._create

    async def counted(person_ids):
        writes.append(sorted(person_ids))
        return await create(person_ids)
    monkeypatch.setattr(deps.keys, "_create", counted)
    await deps.keys.id_secret()  # the installation's secret, made once
    writes.clear()
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    assert writes == [sorted([child_id, f"guardian-of-{child_id}"])]


async def test_the_same_command_twice_yields_one_event(deps, event_log) -> None:
    first = await ok(deps, "register_child", command_id="cmd-1", **CHILD)
    again = await ok(deps, "register_child", command_id="cmd-1", **CHILD)
    assert first["child_id"] == again["child_id"]
    assert await event_types(event_log, "child", first["child_id"]) == ["ChildRegistered"]
    # With the id named, the retry is recognised from the history itself and says so.
    named = {**CHILD, "child_id": "child-7"}
    await ok(deps, "register_child", command_id="cmd-2", **named)
    assert (await ok(deps, "register_child", command_id="cmd-2", **named))["duplicate"] is True
    assert await event_log.last_sequence() == 2


async def test_a_retried_registration_without_an_id_says_it_is_a_duplicate(deps) -> None:
    await ok(deps, "register_child", command_id="cmd-1", **CHILD)
    assert (await ok(deps, "register_child", command_id="cmd-1", **CHILD))["duplicate"] is True


async def test_invalid_commands_are_answered_with_the_offending_field(deps) -> None:
    unknown_region = await send(deps, "register_child", **{**CHILD, "region": "440105999999"})
    assert error_of(unknown_region) == (ErrorCode.invalid, [["region"]])
    town = await send(deps, "register_child", **{**CHILD, "region": "440105001"})  # a county code is a child's
    assert error_of(town) == (ErrorCode.invalid, [["region"]])  # place until her village is known; a town's is not
    nineteen = await send(deps, "register_child", **{**CHILD, "birth_date": "2007-01-01"})
    assert error_of(nineteen) == (ErrorCode.invalid, [["birth_date"]])
    no_sex = await send(deps, "register_child", **{k: v for k, v in CHILD.items() if k != "sex"})
    assert error_of(no_sex) == (ErrorCode.invalid, [["sex"]])
    assert "sex" in no_sex.error.message


async def test_register_child_checks_the_id_number_as_the_import_does(deps, event_log) -> None:
    wrong_digit = await send(deps, "register_child", **{**CHILD, "id_number": "440105201603080021"})
    assert error_of(wrong_digit) == (ErrorCode.invalid, [["id_number"]])
    assert "check digit is 1, the first 17 digits give 0" in wrong_digit.error.message
    other_day = await send(deps, "register_child", **{**CHILD, "birth_date": "2016-03-09"})
    assert error_of(other_day) == (ErrorCode.invalid, [["id_number"]])
    assert "gives the birth date 2016-03-08" in other_day.error.message
    boy = await send(deps, "register_child", **{**CHILD, "sex": "male"})
    assert error_of(boy) == (ErrorCode.invalid, [["id_number"]])
    # Through the bulk command too: the row is refused on the same field, nothing appended.
    [row] = (await ok(deps, "register_children", rows=[{**CHILD, "sex": "male",
                                                          "actor": NATIONAL.model_dump(mode="json")}]))["rows"]
    assert (row["status"], row["field"]) == ("refused", "id_number")
    assert (await event_log.last_sequence()) == 0


async def test_malformed_json_gets_an_invalid_reply_not_an_exception(deps) -> None:
    reply = await send_raw(deps, "register_child", b'{"actor": ')
    assert error_of(reply)[0] is ErrorCode.invalid
    assert reply.error.message.startswith("RegisterChild:")


async def test_an_operator_acts_only_within_her_region(deps, event_log) -> None:
    sichuan = Actor(operator_id="op-sc", level=FederationLevel.province, region="51")
    reply = await send(deps, "register_child", actor=sichuan, **CHILD)
    assert error_of(reply)[0] is ErrorCode.forbidden
    assert "op-sc" in reply.error.message and COMMUNITY in reply.error.message
    assert await event_log.last_sequence() == 0


async def test_pairing_an_unknown_volunteer_is_not_found(deps) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    reply = await send(deps, "form_pair", child_ids=[child_id], volunteer_ids=["nobody"])
    assert error_of(reply)[0] is ErrorCode.not_found
    assert "volunteer nobody" in reply.error.message


async def test_concurrent_pairings_of_one_child_let_exactly_one_through(deps, event_log) -> None:
    child_id = await pairable_child(deps)
    volunteers = await trained_volunteers(deps, 20)
    replies = await asyncio.gather(*(
        send(deps, "form_pair", child_ids=[child_id], volunteer_ids=[v]) for v in volunteers))
    assert sum(r.ok for r in replies) == 1
    assert {r.error.code for r in replies if not r.ok} <= {ErrorCode.conflict, ErrorCode.rule_violated}
    assert (await event_types(event_log, "pairing_child", child_id)).count("ChildJoinedPair") == 1


async def test_no_visit_is_logged_for_an_ended_pair(deps) -> None:
    child_id = await pairable_child(deps)
    [volunteer_id] = await trained_volunteers(deps)
    pair_id = (await ok(deps, "form_pair", child_ids=[child_id], volunteer_ids=[volunteer_id],
                        formed_on="2026-05-15"))["pair_id"]
    visit = {"pair_id": pair_id, "kind": "home_visit", "visited_on": "2026-05-30", "duration_minutes": 60}
    await ok(deps, "log_visit", **visit)
    await ok(deps, "end_pair", pair_id=pair_id, reason="moved")
    assert error_of(await send(deps, "log_visit", **visit))[0] is ErrorCode.rule_violated


async def submitted_wish(deps) -> str:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    return (await ok(deps, "submit_wish", child_id=child_id, item="书包", estimated_cost_yuan=120))["wish_id"]


async def test_a_wish_is_fulfilled_once(deps) -> None:
    wish_id = await submitted_wish(deps)
    await ok(deps, "fulfil_wish", wish_id=wish_id, donor="某爱心企业")
    assert error_of(await send(deps, "fulfil_wish", wish_id=wish_id))[0] is ErrorCode.rule_violated


async def test_concurrent_fulfilments_of_one_wish_let_exactly_one_through(deps, event_log) -> None:
    wish_id = await submitted_wish(deps)
    replies = await asyncio.gather(*(send(deps, "fulfil_wish", wish_id=wish_id) for _ in range(20)))
    assert sum(r.ok for r in replies) == 1
    assert {r.error.code for r in replies if not r.ok} <= {ErrorCode.conflict, ErrorCode.rule_violated}
    assert await event_types(event_log, "wish", wish_id) == ["WishSubmitted", "WishFulfilled"]


async def test_no_personal_data_reaches_the_nats_store_and_erasure_shreds_it(
    deps, event_log, keys, nats_server,
) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    on_disk = b"".join(p.read_bytes() for p in nats_server.store_dir.rglob("*") if p.is_file())
    assert child_id.encode() in on_disk  # the scan does see the stored event
    for secret in ("李小花", "李大山", CHILD["id_number"]):
        assert secret.encode() not in on_disk, f"{secret} is stored in plaintext"

    [stored] = (await event_log.load("child", child_id)).events
    personal = stored.event.personal
    assert (await keys.unseal(personal))["name"] == "李小花"
    await keys.destroy(child_id)
    assert await keys.unseal(personal) is None
