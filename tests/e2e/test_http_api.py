"""The HTTP API in process: commands go over a real nats-server to the services, errors map to
the documented status codes with field paths."""

from __future__ import annotations

import httpx
import pytest
from faststream.nats import NatsBroker

from services.api.app import COMMAND_ROUTES, create_api
from services.projections import all_projections
from services.shared.follower.projector import Projector
from services.shared.db import make_engine
from services.shared.endpoints import command_router
from tests.conftest import NATIONAL

ACTOR = NATIONAL.model_dump(mode="json")
CHILD = {"actor": ACTOR, "region": "440105001001", "name": "张小明", "sex": "male",
         "birth_date": "2012-02-02", "category": "left_behind"}


@pytest.fixture
async def client(nats_server, nc, event_log, deps, tmp_path):
    broker = NatsBroker(nats_server.url, logger=None)
    for context, routes in COMMAND_ROUTES.items():
        broker.include_router(command_router(context, routes, deps))
    await broker.start()
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    await Projector(event_log, db, all_projections()).create_schema()
    api = create_api(nc, event_log, db, deps.keys)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://aixin") as http:
        yield http
    await broker.stop()
    await db.dispose()


async def test_commands_and_their_errors(client) -> None:
    created = await client.post("/commands/intake/register_child", json=CHILD)
    assert created.status_code == 201, created.text
    child_id = created.json()["child_id"]

    invalid = await client.post("/commands/intake/register_child", json={**CHILD, "sex": "x"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "sex"]

    unknown_region = await client.post("/commands/intake/register_child", json={**CHILD, "region": "440105999999"})
    assert unknown_region.status_code == 422
    assert unknown_region.json()["detail"]["details"][0]["loc"] == ["region"]

    no_volunteer = await client.post("/commands/pairing/form_pair",
                                     json={"actor": ACTOR, "child_ids": [child_id], "volunteer_ids": ["nobody"]})
    assert no_volunteer.status_code == 404
    assert "volunteer nobody" in no_volunteer.json()["detail"]["message"]

    history = await client.get(f"/history/child/{child_id}")
    assert [e["event_type"] for e in history.json()["events"]] == ["ChildRegistered"]
    assert history.json()["events"][0]["data"]["personal"] == "<sealed>"
    assert (await client.get("/history/child/nobody")).status_code == 404
    assert (await client.get("/regions/4x/stats")).status_code == 422


async def test_openapi_lists_every_command(client) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for context, routes in COMMAND_ROUTES.items():
        for name in routes:
            assert f"/commands/{context}/{name}" in paths
