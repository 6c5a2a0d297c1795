"""Two API processes' apps on one real nats-server and one credential store, each keeping the accounts
behind tokens in memory as `aixin up`'s API processes do: an account disabled through one stops its
tokens on the other at the next request, and a role taken ends them there too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
import pytest
from argon2 import PasswordHasher

from contracts.accounts import Role
from services.accounts import AccountCache, passwords
from services.accounts.following import follow_account_events
from services.api.app import create_api
from services.platform.http_api import api_accounts
from services.shared.db import make_engine
from services.shared.eventlog import EventLog
from tests.e2e.test_http_api import add_account, bearer

pytestmark = pytest.mark.e2e


@dataclass
class ApiProcess:
    http: httpx.AsyncClient
    cache: AccountCache


@asynccontextmanager
async def api_process(url: str, keys, data_dir: Path) -> AsyncIterator[ApiProcess]:
    """One API process's app: its own NATS connection, account service and cache, following the
    account events; the credential store and token key are the installation's, shared."""
    nc = await nats.connect(url)
    event_log = EventLog(nc)
    engine = make_engine(f"sqlite+aiosqlite:///{data_dir / 'accounts.db'}")
    api = create_api(nc, event_log, engine, keys)
    api.state.accounts, cache = await api_accounts(nc, event_log, engine, data_dir, first_admin=False)
    following = asyncio.create_task(follow_account_events(event_log, cache))
    try:
        while not cache.live:  # the account events the log holds, read before the cache is used
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://aixin") as http:
            yield ApiProcess(http, cache)
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
        await engine.dispose()
        await nc.close()


@pytest.fixture
async def two(nats_server, event_log, keys, tmp_path, monkeypatch) -> AsyncIterator[tuple[ApiProcess, ApiProcess]]:
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    async with api_process(nats_server.url, keys, tmp_path) as one, api_process(nats_server.url, keys, tmp_path) as other:
        accounts = one.http._transport.app.state.accounts
        await add_account(accounts, "gd-admin", "44", Role.admin)
        await add_account(accounts, "gd-worker", "440105", Role.caseworker, Role.approver)
        yield one, other


async def test_an_account_disabled_through_one_api_stops_its_tokens_on_the_other_at_once(two) -> None:
    one, other = two
    worker = await bearer(other.http, "gd-worker")
    assert (await other.http.get("/auth/me", headers=worker)).status_code == 200
    assert other.cache.get("gd-worker") is not None  # kept: the next check reads no database
    disabled = await one.http.post("/accounts/gd-worker/disable", headers=await bearer(one.http, "gd-admin"))
    assert disabled.status_code == 200, disabled.text
    refused = await other.http.get("/auth/me", headers=worker)
    assert (refused.status_code, refused.json().get("detail")) == (401, "the account is disabled"), refused.text


async def test_a_role_taken_through_one_api_ends_the_tokens_on_the_other(two) -> None:
    one, other = two
    worker = await bearer(other.http, "gd-worker")
    assert (await other.http.get("/auth/me", headers=worker)).json()["roles"] == ["approver", "caseworker"]
    admin = await bearer(one.http, "gd-admin")
    assert (await one.http.delete("/accounts/gd-worker/roles/approver", headers=admin)).status_code == 200
    assert (await other.http.get("/auth/me", headers=worker)).status_code == 401
    again = await bearer(other.http, "gd-worker")
    assert (await other.http.get("/auth/me", headers=again)).json()["roles"] == ["caseworker"]
