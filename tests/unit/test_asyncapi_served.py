"""GET /asyncapi.json: the feed's AsyncAPI document, served without signing in (it holds no data)."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi.testclient import TestClient

from contracts.feed.asyncapi import asyncapi_document
from services.api.app import create_api


def test_served_without_signing_in() -> None:
    api = create_api(SimpleNamespace(max_payload=1 << 20), SimpleNamespace(last_sequence=None), None, None)
    with TestClient(api) as client:
        reply = client.get("/asyncapi.json")
        assert reply.status_code == 200 and reply.json() == asyncapi_document()
        assert reply.json()["asyncapi"] == "3.0.0"
        assert "/asyncapi.json" not in client.get("/openapi.json").json()["paths"]  # as /openapi.json itself
