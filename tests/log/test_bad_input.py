"""Bad input over the real paths: a NATS message the endpoint cannot decode still gets an `invalid`
reply naming the problem, and the HTTP API answers 413/422 for what it cannot take — never a 5xx."""

from __future__ import annotations

import json

import pytest

from contracts.replies import ErrorCode
from tests.e2e.test_http_api import CHILD as HTTP_CHILD
from tests.e2e.test_http_api import client  # noqa: F401  (the fixture: signed-in API over nats-server)
from tests.log.test_commands import CHILD, error_of, send, send_raw
from tests.conftest import NATIONAL

ACTOR = json.dumps(NATIONAL.model_dump(mode="json")).encode()


async def test_a_command_nested_a_thousand_levels_deep_gets_an_invalid_reply(deps) -> None:
    body = b'{"actor":' + ACTOR + b',"name":' + b'[' * 1000 + b']' * 1000 + b'}'
    reply = await send_raw(deps, "register_child", body)
    assert error_of(reply)[0] is ErrorCode.invalid
    assert "RegisterChild: body:" in reply.error.message and "recursion" in reply.error.message


async def test_bytes_that_are_not_utf8_get_an_invalid_reply_naming_the_byte(deps) -> None:
    reply = await send_raw(deps, "register_child", b'{"actor":' + ACTOR + b',"name":"\xff\xfe"}')
    assert error_of(reply) == (ErrorCode.invalid, [["body"]])
    assert "not UTF-8 text: byte 0xff" in reply.error.message


async def test_a_lone_surrogate_escape_gets_an_invalid_reply(deps) -> None:
    reply = await send_raw(deps, "register_child", json.dumps({"actor": NATIONAL.model_dump(mode="json"),
                                                               **CHILD, "name": "\ud800"}).encode())
    assert error_of(reply)[0] is ErrorCode.invalid
    assert "lone surrogate \\ud800" in reply.error.message


@pytest.mark.parametrize("name", ["\u3000", "李\x00花", "\x1b[31m李\x1b[0m", "李\n花", "x" * 100_000])
async def test_a_bad_name_on_nats_is_refused_at_the_field(deps, name: str) -> None:
    assert error_of(await send(deps, "register_child", **{**CHILD, "name": name})) == (ErrorCode.invalid, [["name"]])


NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024


async def test_a_body_over_the_nats_max_payload_is_413_with_the_limit(client, nc, monkeypatch) -> None:  # noqa: F811
    # The embedded server allows 4 MB; a stock nats-server 1 MB. The client's own copy of the limit
    # is lowered to the stock one (nats-py checks it before sending, so the server never sees more).
    monkeypatch.setattr(nc, "_max_payload", NATS_DEFAULT_MAX_PAYLOAD)
    padded = b'{"region": "440105001101",' + b" " * 2_000_000 + json.dumps(HTTP_CHILD).encode()[1:]
    reply = await client.post("/commands/intake/register_child", content=padded,
                              headers={"Content-Type": "application/json"})
    assert reply.status_code == 413, reply.text
    assert f"larger than {NATS_DEFAULT_MAX_PAYLOAD} bytes" in reply.json()["message"]


async def test_a_command_that_outgrows_the_max_payload_on_its_way_is_413(client, nc, monkeypatch) -> None:  # noqa: F811
    # The body fits, but the command sent on (actor, command_id, defaults) does not: nats-py refuses it.
    body = json.dumps(HTTP_CHILD).encode()
    monkeypatch.setattr(nc, "_max_payload", len(body) + 10)
    reply = await client.post("/commands/intake/register_child", content=body,
                              headers={"Content-Type": "application/json"})
    assert reply.status_code == 413, reply.text
    assert f"larger than {len(body) + 10} bytes" in reply.json()["message"]


async def test_nan_and_a_lone_surrogate_over_http_are_422(client) -> None:  # noqa: F811
    headers = {"Content-Type": "application/json"}
    wish = b'{"child_id": "c1", "item": "book", "estimated_cost_yuan": NaN}'
    nan = await client.post("/commands/activity/submit_wish", content=wish, headers=headers)
    assert nan.status_code == 422, nan.text
    assert nan.json()["details"][0]["loc"] == ["body", "estimated_cost_yuan"]

    surrogate = json.dumps({**HTTP_CHILD, "name": "\ud800"}).encode()  # ASCII: the escape travels as is
    refused = await client.post("/commands/intake/register_child", content=surrogate, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["details"][0]["loc"] == ["body", "name"]
    assert "lone surrogate U+D800" in refused.json()["details"][0]["msg"]

    ideographic = await client.post("/commands/intake/register_child", json={**HTTP_CHILD, "name": "\u3000"})
    assert ideographic.status_code == 422, ideographic.text
