"""The integration feed as an AsyncAPI 3.0 document, built from the contract's models.

    python -m contracts.feed.asyncapi            write contracts/feed/asyncapi.json
    python -m contracts.feed.asyncapi --check    exit 1 if the file differs from the models

It is written from the subscriber's side: one channel per integration event kind, on the subject
scheme of `contracts.feed.subjects`, each received as a `FeedMessage` whose `data` is that kind's
schema. FastStream's generator documents the subscribers of a broker application; a feed the
platform publishes into another account's stream, with JetStream headers and a durable pull
consumer per reader, is told here instead (JetStream in `x-jetstream`). The platform serves the
same document at GET /asyncapi.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from contracts.export_schemas import render
from contracts.feed.envelope import FeedMessage
from contracts.feed.events import INTEGRATION_EVENTS, IntegrationEvent
from contracts.feed.subjects import FEED_ROOT, FEED_STREAM

ASYNCAPI_FILE = Path(__file__).parent / "asyncapi.json"
LEVELS = {"province": "2-digit", "city": "4-digit", "county": "6-digit", "town": "9-digit", "village": "12-digit"}
ADDRESS = ".".join([FEED_ROOT, *(f"{{{level}}}" for level in LEVELS)])
RETENTION_DAYS = 30  # services.shared.eventlog.feed_stream.RETENTION
DUPLICATE_WINDOW = "1h"
_DIGITS = {"type": "string", "pattern": "^[0-9]+$"}
HEADERS = {
    "type": "object", "required": ["Nats-Msg-Id", "Aixin-Origin-Seq", "Aixin-Part", "Aixin-Parts"],
    "properties": {
        "Nats-Msg-Id": {"type": "string", "description": "the message's id (FeedMessage.id): JetStream stores "
                                                         "a message once within the duplicate window"},
        "Aixin-Origin-Seq": {**_DIGITS, "description": "the domain log's sequence it came from (origin_seq): "
                                                       "the cursor"},
        "Aixin-Part": {**_DIGITS, "description": "its place, from 0, among the messages made from one domain event"},
        "Aixin-Parts": {**_DIGITS, "description": "how many messages were made from that domain event"},
    },
}
JETSTREAM = {
    "stream": FEED_STREAM,
    "account": "one NATS account per system, holding only its subtree's feed (the bundle's `account`)",
    "retention_days": RETENTION_DAYS,
    "consumer": {"kind": "durable pull", "name": "the bundle's `consumer`", "filter": "the bundle's `subjects`",
                 "ack_policy": "explicit"},
    "deduplication": {"header": "Nats-Msg-Id", "duplicate_window": DUPLICATE_WINDOW},
    "cursor": "origin_seq (header Aixin-Origin-Seq): stays valid when the feed is rebuilt and renumbered; "
              "the stream sequence does not",
}


def inline_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every `#/$defs/…` reference replaced by its definition: the document's own
    root is not the model's, so a local reference would point nowhere."""
    defs = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: value for key, value in node.items() if key != "$defs"}
        ref = node.pop("$ref", None)
        if ref is not None:
            node = {**resolve(defs[ref.removeprefix("#/$defs/")]), **node}
        return {key: resolve(value) for key, value in node.items()}

    return resolve(schema)


def message_payload(event_type: type[IntegrationEvent]) -> dict[str, Any]:
    """The FeedMessage envelope, its `kind` and `version` fixed and its `data` the event's schema."""
    payload = inline_defs(FeedMessage.model_json_schema())
    properties = payload["properties"]
    properties["kind"] = {**properties["kind"], "const": event_type.kind}
    properties["version"] = {**properties["version"], "const": event_type.version}
    properties["data"] = {**inline_defs(event_type.model_json_schema()),
                          "description": properties["data"]["description"]}
    return payload


def message(event_type: type[IntegrationEvent]) -> dict[str, Any]:
    summary = (event_type.__doc__ or event_type.kind).strip().split("\n\n")[0].replace("\n", " ")
    return {"name": event_type.kind, "title": event_type.__name__, "summary": summary,
            "contentType": "application/json", "headers": HEADERS, "payload": message_payload(event_type),
            "x-aixin-feed": {"kind": event_type.kind, "version": event_type.version,
                             "schema_file": f"schemas/{event_type.kind}.v{event_type.version}.json"}}


def channel(event_type: type[IntegrationEvent]) -> dict[str, Any]:
    kind = event_type.kind
    parameters = {level: {"description": f"the {level}'s {digits} division code; '_' below the place the "
                                         f"message is placed in"} for level, digits in LEVELS.items()}
    return {"address": f"{ADDRESS}.{kind}", "title": event_type.__name__, "servers": [{"$ref": "#/servers/feed"}],
            "parameters": parameters, "messages": {kind: {"$ref": f"#/components/messages/{kind}"}}}


def operation(event_type: type[IntegrationEvent]) -> dict[str, Any]:
    kind = event_type.kind
    return {"action": "receive", "channel": {"$ref": f"#/channels/{kind}"},
            "summary": f"A system receives {kind} messages of its subtree from its durable pull consumer.",
            "messages": [{"$ref": f"#/channels/{kind}/messages/{kind}"}]}


SERVER = {
    "host": "{host}:{port}", "protocol": "nats", "title": "a system's feed",
    "description": "Placeholder: the system's connection bundle (`aixin systems add`) gives the URL "
                   "(tls://host:port), the CA to verify the server by (`ca_pem`) and the NKey seed to sign "
                   "in with (`nkey_seed`); it reaches the system's own account and nothing else.",
    "variables": {"host": {"description": "the host of the bundle's `url`"},
                  "port": {"default": "4222", "description": "the port of the bundle's `url`"}},
    "x-jetstream": JETSTREAM,
}


def asyncapi_document() -> dict[str, Any]:
    kinds = sorted(INTEGRATION_EVENTS, key=lambda event: event.kind)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "aixin integration feed", "version": str(FeedMessage.envelope_version),
                 "description": "What provincial and city systems of the caring-mother (爱心妈妈) programme read: "
                                "their subtree's integration events, without personal data (docs/feeds.md). "
                                "info.version is the FeedMessage envelope's; each kind has its own version."},
        "defaultContentType": "application/json",
        "servers": {"feed": SERVER},
        "channels": {event.kind: channel(event) for event in kinds},
        "operations": {f"receive_{event.kind}": operation(event) for event in kinds},
        "components": {"messages": {event.kind: message(event) for event in kinds}},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.feed.asyncapi", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if the file is stale")
    parser.add_argument("--file", type=Path, default=ASYNCAPI_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    text = render(asyncapi_document())
    current = args.file.read_text("utf-8") if args.file.exists() else None
    if args.check:
        if current != text:
            print(f"{args.file} is stale: run `python -m contracts.feed.asyncapi`", file=sys.stderr)
        return 0 if current == text else 1
    if current != text:
        args.file.write_text(text, "utf-8")
        print(f"wrote {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
