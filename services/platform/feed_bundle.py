"""A system's connection bundle: everything its operators need to read its feed, in one JSON file
(`data_dir/systems/<name>.json`, mode 0600) — and nothing more. A client in any language reads it:
the URL, the NKey seed (the credential), the CA to verify the server by, the stream and the durable
consumer to bind, the subject scheme, and how long the feed keeps what it has not read."""

from __future__ import annotations

import json
from pathlib import Path

from contracts.feed.subjects import FEED_STREAM, feed_filter
from services.platform.data_dir import write_private
from services.platform.nats_credentials import SYSTEMS_DIR, NatsCredentials
from services.platform.nats_listener import Listener
from services.platform.nats_permissions import system_account
from services.shared.eventlog.feed_stream import RETENTION

BUNDLE_VERSION = 1
SUBJECT_SCHEME = "aixin.feed.<province>.<city>.<county>.<town>.<village>.<kind>"


def bundle_of(credentials: NatsCredentials, name: str, listener: Listener | None) -> dict:
    system = credentials.systems[name]
    url = listener.public_url if listener else None
    return {
        "bundle_version": BUNDLE_VERSION,
        "system": name,
        "office": system["office"],
        "url": url or "(the URL of your external NATS cluster)",
        "account": system_account(name),
        "nkey_seed": system["seed"],
        "ca_pem": listener.tls.ca.read_text() if listener and listener.tls else None,
        "stream": FEED_STREAM,
        "consumer": name,
        "subjects": feed_filter(system["office"]),
        "subject_scheme": SUBJECT_SCHEME,
        "retention_days": int(RETENTION.total_seconds() // 86400),
        "cursor": "each message's origin_seq (header Aixin-Origin-Seq): the domain log's sequence, "
                  "valid across a rebuild of the feed",
        "asyncapi": "GET /asyncapi.json on the platform's HTTP API, or contracts/feed/asyncapi.json",
    }


def write_bundle(credentials: NatsCredentials, name: str) -> Path:
    listener = Listener.load(credentials.data_dir / "nats")
    path = credentials.data_dir / SYSTEMS_DIR / f"{name}.json"
    write_private(path, json.dumps(bundle_of(credentials, name, listener), indent=2, ensure_ascii=False) + "\n")
    return path
