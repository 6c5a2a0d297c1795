"""The HTTP API in process: commands go over a real nats-server to the services, errors map to
the documented status codes with field paths. Also the helpers other tests use to sign in to an API
built in process (accounts in a credential store of their own, tokens from POST /auth/token)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.accounts import Role
from contracts.regions import parse_region
from services.accounts import AccountService, open_accounts
from services.accounts.domain import Account
from services.api.app import create_api
from services.platform.web import COMMAND_ROUTES
from services.projections import all_projections
from services.shared.follower.projector import Projector
from services.shared.db import make_engine
from services.shared.endpoints import command_broker, command_router
from services.shared.eventlog import EventLog

PASSWORD = "correct horse battery"
# Creates the test accounts; not itself an account (the service asks only who acts and where).
ROOT = Account("root", parse_region("CN"), frozenset({Role.admin}))
CHILD = {"region": "440105001101", "name": "张小明", "sex": "male",
         "birth_date": "2012-02-02", "category": "left_behind"}


async def with_accounts(api: FastAPI, event_log: EventLog, engine: AsyncEngine, data_dir: Path) -> AccountService:
    """The API's account service, its credential store on `engine`, its token key in `data_dir`."""
    api.state.accounts = await open_accounts(event_log, engine, data_dir)
    return api.state.accounts


async def add_account(accounts: AccountService, username: str, office: str, *roles: Role) -> None:
    await accounts.create(ROOT, username, parse_region(office), frozenset(roles), PASSWORD)


async def bearer(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    reply = await http.post("/auth/token", data={"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


@asynccontextmanager
async def signed_in_client(api: FastAPI, event_log: EventLog, data_dir: Path,
                           roles: tuple[Role, ...] = (Role.caseworker, Role.approver),
                           ) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `api` signed in as `national`, an account at CN with `roles`."""
    engine = make_engine(f"sqlite+aiosqlite:///{data_dir / 'accounts.db'}")
    try:
        await add_account(await with_accounts(api, event_log, engine, data_dir), "national", "CN", *roles)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://aixin") as http:
            http.headers.update(await bearer(http, "national"))
            yield http
    finally:
        await engine.dispose()


@pytest.fixture
async def client(nats_server, nc, event_log, deps, tmp_path):
    broker = command_broker(nats_server.url)
    for context, routes in COMMAND_ROUTES.items():
        broker.include_router(command_router(context, routes, deps))
    await broker.start()
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    await Projector(event_log, db, all_projections()).create_schema()
    api = create_api(nc, event_log, db, deps.keys)
    async with signed_in_client(api, event_log, tmp_path) as http:
        yield http
    await broker.stop()
    await db.dispose()


async def test_commands_and_their_errors(client) -> None:
    created = await client.post("/commands/intake/register_child", json=CHILD)
    assert created.status_code == 201, created.text
    child_id = created.json()["child_id"]

    invalid = await client.post("/commands/intake/register_child", json={**CHILD, "sex": "x"})
    assert invalid.status_code == 422
    assert invalid.json()["details"][0]["loc"] == ["body", "sex"]

    unknown_region = await client.post("/commands/intake/register_child", json={**CHILD, "region": "440105999999"})
    assert unknown_region.status_code == 422
    assert unknown_region.json()["details"][0]["loc"] == ["region"]

    no_volunteer = await client.post("/commands/pairing/form_pair",
                                     json={"child_ids": [child_id], "volunteer_ids": ["nobody"]})
    assert no_volunteer.status_code == 404
    assert "volunteer nobody" in no_volunteer.json()["message"]

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


async def test_an_idempotency_key_is_the_command_id_so_a_retried_post_creates_nothing_twice(client) -> None:
    key = {"Idempotency-Key": "retry-7f3a"}
    first = await client.post("/commands/intake/register_child", json=CHILD, headers=key)
    again = await client.post("/commands/intake/register_child", json=CHILD, headers=key)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert first.json()["command_id"] == again.json()["command_id"] == "retry-7f3a"
    assert first.json()["child_id"] == again.json()["child_id"]
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    # The header wins over a command_id in the body: a client's retry library sets only the header.
    body_id = await client.post("/commands/intake/register_child", json={**CHILD, "command_id": "other"},
                                headers=key)
    assert (body_id.json()["child_id"], body_id.json()["duplicate"]) == (first.json()["child_id"], True)
    history = await client.get(f"/history/child/{first.json()['child_id']}")
    assert [e["event_type"] for e in history.json()["events"]] == ["ChildRegistered"]

    for bad in ("clé".encode("latin-1"), "k" * 129):  # not ASCII; too long
        refused = await client.post("/commands/intake/register_child", json=CHILD, headers={"Idempotency-Key": bad})
        assert refused.status_code == 422, bad
        assert refused.json()["details"][0]["loc"] == ["header", "Idempotency-Key"]

    parameters = (await client.get("/openapi.json")).json()["paths"]["/commands/intake/register_child"]["post"]["parameters"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= next(
        p for p in parameters if p["name"] == "Idempotency-Key").items()


async def test_a_persons_history_tells_her_pairs_with_her_file(client) -> None:
    # Her pairs are pairing's aggregate, her file intake's: the history of the child (and of the
    # volunteer) tells both, in the order they happened.
    child = {**CHILD, "birth_date": "2016-02-02"}
    child_id = (await client.post("/commands/intake/register_child", json=child)).json()["child_id"]
    consent = {"child_id": child_id, "relation": "grandparent", "given_by": "张大山",
               "scopes": ["pairing"], "given_on": "2026-05-01"}
    assert (await client.post("/commands/intake/record_consent", json=consent)).status_code == 201
    volunteer = {"region": "440105001102", "name": "王芳", "sex": "female", "kind": "mother"}
    volunteer_id = (await client.post("/commands/intake/recruit_volunteer", json=volunteer)).json()["volunteer_id"]
    training = {"topic": "minors_protection_law", "held_on": "2026-05-02", "volunteer_ids": [volunteer_id]}
    assert (await client.post("/commands/intake/record_training", json=training)).status_code == 201
    formed = await client.post("/commands/pairing/form_pair", json={"child_ids": [child_id],
                                                                     "volunteer_ids": [volunteer_id]})
    assert formed.status_code == 201, formed.text
    told = (await client.get(f"/history/child/{child_id}")).json()["events"]
    assert [e["event_type"] for e in told] == ["ChildRegistered", "GuardianConsentGiven", "ChildJoinedPair"]
    told = (await client.get(f"/history/volunteer/{volunteer_id}")).json()["events"]
    assert [e["event_type"] for e in told] == ["VolunteerRecruited", "VolunteerTrained", "VolunteerJoinedPair"]
