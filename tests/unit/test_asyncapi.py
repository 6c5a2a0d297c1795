"""The feed's AsyncAPI document (contracts.feed.asyncapi): current in the committed file, true to the
models and the feed stream, and accepted by the official AsyncAPI parser."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from contracts.feed import INTEGRATION_EVENTS, FeedMessage
from contracts.feed.asyncapi import ASYNCAPI_FILE, DUPLICATE_WINDOW, RETENTION_DAYS, asyncapi_document, main
from contracts.feed.events import ChildExited, ExitReason
from services.shared.eventlog import feed_stream
from tests.nodejs import run_node

ORIGIN = "0b7e4c1a-3f52-4d8e-9a61-2c5d7e8f9a0b"


def exited() -> FeedMessage:
    event = ChildExited(child_id="c-0123456789abcdef01234567", reason=ExitReason.aged_out, exited_on="2026-05-05")
    return FeedMessage.of(event, origin_event_id=ORIGIN, origin_seq=42, region="440105001101")


def test_the_committed_document_is_current(tmp_path: Path) -> None:
    assert json.loads(ASYNCAPI_FILE.read_text("utf-8")) == asyncapi_document(), "run `python -m contracts.feed.asyncapi`"
    assert main(["--check"]) == 0
    stale = tmp_path / "asyncapi.json"
    stale.write_text("{}\n")
    assert main(["--check", "--file", str(stale)]) == 1
    assert main(["--file", str(stale)]) == 0 and main(["--check", "--file", str(stale)]) == 0


def test_a_channel_and_a_receive_operation_per_kind() -> None:
    document = asyncapi_document()
    kinds = {event.kind for event in INTEGRATION_EVENTS}
    assert set(document["channels"]) == kinds == set(document["components"]["messages"])
    assert {op["action"] for op in document["operations"].values()} == {"receive"}
    channel = document["channels"]["pair_formed"]
    assert channel["address"] == "aixin.feed.{province}.{city}.{county}.{town}.{village}.pair_formed"
    assert set(channel["parameters"]) == {"province", "city", "county", "town", "village"}
    assert "$defs" not in json.dumps(document)  # every model's definitions inlined


def test_a_message_payload_is_the_envelope_with_the_kinds_data() -> None:
    payload = asyncapi_document()["components"]["messages"]["child_exited"]["payload"]
    message = json.loads(exited().encode())
    jsonschema.Draft7Validator(payload).validate(message)
    for wrong in ({**message, "kind": "pair_ended"}, {**message, "data": {**message["data"], "reason": "death"}},
                  {**message, "data": {**message["data"], "name": "童1"}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft7Validator(payload).validate(wrong)


def test_jetstream_details_match_the_feed_stream() -> None:
    jetstream = asyncapi_document()["servers"]["feed"]["x-jetstream"]
    assert jetstream["retention_days"] == RETENTION_DAYS == feed_stream.RETENTION.days
    assert DUPLICATE_WINDOW == f"{int(feed_stream.DUPLICATE_WINDOW.total_seconds() // 3600)}h"
    headers = asyncapi_document()["components"]["messages"]["pair_ended"]["headers"]["properties"]
    assert {feed_stream.ORIGIN_SEQ, feed_stream.PART, feed_stream.PARTS, "Nats-Msg-Id"} == set(headers)


def test_the_official_asyncapi_parser_accepts_the_document() -> None:
    done = run_node("validate_asyncapi.mjs", str(ASYNCAPI_FILE))
    assert done.returncode == 0, f"@asyncapi/parser refused the document:\n{done.stdout}{done.stderr}"
    assert f"valid AsyncAPI 3.0.0, {len(INTEGRATION_EVENTS)} channels" in done.stdout
