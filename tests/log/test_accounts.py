"""Accounts against a real nats-server: signing in over HTTP, tokens, lock-out, an admin's reach, and
what the log and the credential store hold (never a password, never a hash in the log)."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from nats.js.api import StorageType, StreamConfig
from sqlalchemy import select

from contracts.accounts import Role
from contracts.regions import parse_region
from contracts.subjects import ACCOUNT_EVENTS, ALL_EVENTS, STREAM
from services.accounts import AccountService, CredentialStore, TokenIssuer
from services.accounts.bootstrap import create_first_admin
from services.accounts.store import accounts as accounts_table
from services.api import accounts as accounts_routes
from services.api import auth
from services.api.errors import install as install_error_handlers
from services.shared.db import make_engine
from services.shared.eventlog import EventLog

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def engine(tmp_path: Path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}")
    yield engine
    await engine.dispose()


@pytest.fixture
async def service(event_log: EventLog, engine, clock: Clock) -> AccountService:
    store = CredentialStore(engine)
    await store.create_schema()
    return AccountService(event_log, store, TokenIssuer(b"k" * 32, clock=clock), clock=clock)


@pytest.fixture
async def admin_password(service: AccountService, tmp_path: Path) -> str:
    assert await create_first_admin(service, tmp_path)
    return json.loads((tmp_path / "credential.json").read_text())["password"]


@pytest.fixture
async def http(service: AccountService, admin_password: str):
    app = FastAPI()
    app.include_router(auth.router)
    app.include_router(accounts_routes.router)
    install_error_handlers(app)  # as the API's: a refused body never echoes a password
    app.state.accounts = service
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://aixin") as client:
        yield client


async def token(http: httpx.AsyncClient, username: str, password: str) -> dict:
    reply = await http.post("/auth/token", data={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


async def add(http, headers, username: str, office: str, *roles: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/accounts", headers=headers,
                           json={"username": username, "office": office, "roles": list(roles), "password": password})


async def test_first_start_writes_the_admin_credential_and_signs_her_in(http, service, tmp_path, admin_password):
    path = tmp_path / "credential.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reply = await http.post("/auth/token", data={"username": "admin", "password": admin_password})
    assert reply.status_code == 200
    assert reply.json()["token_type"] == "bearer" and reply.json()["expires_in"] == 900
    me = await http.get("/auth/me", headers={"Authorization": f"Bearer {reply.json()['access_token']}"})
    assert me.json() == {"username": "admin", "office": "CN", "level": "national",
                         "roles": ["admin", "approver", "caseworker"]}
    # A second start changes nothing.
    assert not await create_first_admin(service, tmp_path)
    assert json.loads(path.read_text())["password"] == admin_password


async def test_requests_without_a_good_token_get_401_saying_why(http, admin_password, clock):
    none = await http.get("/auth/me")
    assert none.status_code == 401 and none.json()["detail"].startswith("not signed in")
    assert none.headers["www-authenticate"] == "Bearer"
    bad = await http.get("/auth/me", headers={"Authorization": "Bearer not.a.token"})
    assert (bad.status_code, bad.json()["detail"]) == (401, "the token is not valid")
    forged = TokenIssuer(b"x" * 32, clock=clock).issue("admin").access_token
    other_key = await http.get("/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert (other_key.status_code, other_key.json()["detail"]) == (401, "the token is not valid")
    headers = await token(http, "admin", admin_password)
    clock.now += timedelta(minutes=15)
    expired = await http.get("/auth/me", headers=headers)
    assert (expired.status_code, expired.json()["detail"]) == (401, "the token has expired")


async def test_wrong_password_or_username_say_the_same_and_five_failures_lock_for_a_minute(
        http, admin_password, clock):
    for username in ("admin", "nobody", "admin", "admin", "admin", "admin"):
        reply = await http.post("/auth/token", data={"username": username, "password": "wrong-password"})
        assert (reply.status_code, reply.json()["detail"]) == (401, "wrong username or password")
    locked = await http.post("/auth/token", data={"username": "admin", "password": admin_password})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) == 60
    clock.now += timedelta(seconds=61)
    await token(http, "admin", admin_password)


async def test_failures_spread_over_more_than_a_minute_do_not_lock(http, admin_password, clock):
    for _ in range(8):
        await http.post("/auth/token", data={"username": "admin", "password": "wrong-password"})
        clock.now += timedelta(seconds=16)
    await token(http, "admin", admin_password)


async def test_a_disabled_accounts_token_stops_working_at_once(http, admin_password):
    admin = await token(http, "admin", admin_password)
    assert (await add(http, admin, "gd-worker", "44", "caseworker")).status_code == 201
    worker = await token(http, "gd-worker", PASSWORD)
    assert (await http.get("/auth/me", headers=worker)).status_code == 200
    disabled = await http.post("/accounts/gd-worker/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    refused = await http.get("/auth/me", headers=worker)
    assert (refused.status_code, refused.json()["detail"]) == (401, "the account is disabled")
    again = await http.post("/auth/token", data={"username": "gd-worker", "password": PASSWORD})
    assert (again.status_code, again.json()["detail"]) == (401, "the account is disabled")


ENDED = "the token was ended by a change to the account (a new password, a role taken or the account disabled); " \
        "sign in again"


@pytest.mark.parametrize("change", ["password", "revoke", "disable"])
async def test_a_change_to_the_account_ends_every_token_issued_before_it(http, admin_password, change):
    admin = await token(http, "admin", admin_password)
    assert (await add(http, admin, "gd-worker", "44", "caseworker", "viewer")).status_code == 201
    tokens = [await token(http, "gd-worker", PASSWORD) for _ in range(2)]  # two sessions of hers
    granted = await http.post("/accounts/gd-worker/roles", headers=admin, json={"role": "approver"})
    assert granted.status_code == 200  # a role given ends nothing
    for each in tokens:
        assert (await http.get("/auth/me", headers=each)).status_code == 200
    new_password = "a brand new password"
    if change == "password":  # she changes her own: her own tokens end too
        changed = await http.post("/accounts/gd-worker/password", headers=tokens[0], json={"password": new_password})
    elif change == "revoke":
        changed = await http.delete("/accounts/gd-worker/roles/viewer", headers=admin)
    else:
        changed = await http.post("/accounts/gd-worker/disable", headers=admin)
    assert changed.status_code == 200, changed.text
    for old in tokens:
        refused = await http.get("/auth/me", headers=old)
        expected = "the account is disabled" if change == "disable" else ENDED
        assert (refused.status_code, refused.json()["message"]) == (401, expected)
    assert (await http.get("/auth/me", headers=admin)).status_code == 200  # nobody else's
    if change != "disable":
        fresh = await token(http, "gd-worker", new_password if change == "password" else PASSWORD)
        assert (await http.get("/auth/me", headers=fresh)).status_code == 200


async def test_a_store_made_before_token_versions_gains_them(tmp_path, event_log, clock):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with engine.begin() as conn:  # the table as it was
            await conn.exec_driver_sql(
                "CREATE TABLE accounts (username VARCHAR(32) PRIMARY KEY, office VARCHAR(12) NOT NULL, "
                "level VARCHAR(16) NOT NULL, roles VARCHAR(200) NOT NULL, disabled BOOLEAN NOT NULL, "
                "password_hash VARCHAR(200) NOT NULL, updated_at DATETIME NOT NULL)")
            await conn.exec_driver_sql("INSERT INTO accounts VALUES ('gd-worker', '440000000000', 'province', "
                                       "'caseworker', 0, 'x', '2026-01-01 00:00:00')")
        store = CredentialStore(engine)
        await store.create_schema()
        await store.create_schema()  # and again, as every start does
        assert (await store.account("gd-worker")).token_version == 0
    finally:
        await engine.dispose()


async def test_an_admin_of_44_manages_her_subtree_only(http, admin_password):
    national = await token(http, "admin", admin_password)
    assert (await add(http, national, "gd-admin", "44", "admin")).status_code == 201
    assert (await add(http, national, "bj-worker", "11", "caseworker")).status_code == 201
    gd = await token(http, "gd-admin", PASSWORD)

    for office in ("11", "CN", "110101"):
        refused = await add(http, gd, "gd-x", office, "viewer")
        assert refused.status_code == 403, office
        assert "outside gd-admin's office" in refused.json()["detail"]["message"]
    assert (await add(http, gd, "gz-worker", "4401", "caseworker")).status_code == 201
    assert (await http.post("/accounts/admin/roles", headers=gd, json={"role": "viewer"})).status_code == 403
    assert (await http.post("/accounts/bj-worker/disable", headers=gd)).status_code == 403
    assert (await http.post("/accounts/admin/password", headers=gd, json={"password": "x" * 12})).status_code == 403
    listed = (await http.get("/accounts", headers=gd)).json()["accounts"]
    assert [a["username"] for a in listed] == ["gd-admin", "gz-worker"]
    granted = await http.post("/accounts/gz-worker/roles", headers=gd, json={"role": "approver"})
    assert granted.json()["roles"] == ["approver", "caseworker"]
    revoked = await http.delete("/accounts/gz-worker/roles/caseworker", headers=gd)
    assert revoked.json()["roles"] == ["approver"]
    own = await http.post("/accounts/gd-admin/disable", headers=gd)
    assert own.status_code == 409 and "cannot disable her own account" in own.json()["detail"]["message"]
    worker = await token(http, "gz-worker", PASSWORD)
    assert (await add(http, worker, "gz-2", "4401", "viewer")).status_code == 403
    assert (await http.get("/accounts", headers=worker)).status_code == 403


async def test_bad_input_is_422_and_never_echoes_the_password(http, admin_password):
    admin = await token(http, "admin", admin_password)
    secret = "a-secret-never-echoed"
    missing = await http.post("/accounts", headers=admin,
                              json={"office": "44", "roles": ["viewer"], "password": secret})
    short = await add(http, admin, "gd-y", "44", "viewer", password="short")
    for reply in (missing, short,
                  await add(http, admin, "Bad Name", "44", "viewer", password=secret),
                  await add(http, admin, "gd-z", "99x", "viewer", password=secret),
                  await add(http, admin, "gd-z", "44", "overlord", password=secret)):
        assert reply.status_code == 422, reply.text
        assert secret not in reply.text
    assert "password" in short.text and '"short"' not in short.text


async def test_two_admins_creating_one_username_at_once_make_one_account(service, admin_password):
    national = await service.account("admin")
    results = await asyncio.gather(
        *[service.create(national, "twin", parse_region("44"), frozenset({Role.viewer}), PASSWORD)
          for _ in range(2)], return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    refused = next(r for r in results if isinstance(r, Exception))
    assert "exists already" in str(refused)


async def test_account_events_land_on_their_subject_by_the_admin_and_hold_no_secret(
        http, service, event_log, nc, engine, admin_password, tmp_path):
    admin = await token(http, "admin", admin_password)
    assert (await add(http, admin, "gd-admin", "44", "admin", "viewer")).status_code == 201
    again = await add(http, admin, "gd-admin", "44", "viewer")
    assert again.status_code == 409
    gd = await token(http, "gd-admin", PASSWORD)
    new_password = "another good password"
    changed = await http.post("/accounts/gd-admin/password", headers=gd, json={"password": new_password})
    assert changed.status_code == 200 and new_password not in changed.text
    refused = await http.post("/auth/token", data={"username": "gd-admin", "password": PASSWORD})
    assert refused.status_code == 401
    await token(http, "gd-admin", new_password)

    history = await EventLog(nc).load("account", "gd-admin")
    assert [e.subject for e in history.events] == ["aixin.acct.gd-admin"] * 2
    assert [e.envelope.event_type for e in history.events] == ["AccountCreated", "PasswordChanged"]
    created, changed = (e.envelope.actor for e in history.events)
    assert (created.operator_id, created.region, created.role) == ("admin", "CN", "admin")
    assert (changed.operator_id, changed.region, changed.role) == ("gd-admin", "440000000000", "admin")
    first = (await EventLog(nc).load("account", "admin")).events[0].envelope.actor
    assert (first.operator_id, first.level, first.region, first.role) == ("aixin-bootstrap", "national", "CN", "system")

    async with engine.connect() as conn:
        hashes = (await conn.execute(select(accounts_table.c.password_hash))).scalars().all()
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    await nc.flush()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "nats").rglob("*") if p.is_file())
    assert b"aixin.acct.gd-admin" in raw  # the stream's files are what is searched
    for secret in (PASSWORD, new_password, admin_password, *hashes, "$argon2"):
        assert secret.encode() not in raw
    # Subscriptions to the regions' events never see accounts.
    js = nc.jetstream()
    assert not (await js.stream_info(STREAM, subjects_filter=ALL_EVENTS)).state.subjects
    assert set((await js.stream_info(STREAM, subjects_filter=ACCOUNT_EVENTS)).state.subjects) == {
        "aixin.acct.admin", "aixin.acct.gd-admin"}


async def test_access_entries_are_kept_and_an_admin_reads_those_of_her_subtree(http, service, admin_password):
    national = await service.account("admin")
    await service.create(national, "gd-admin", parse_region("44"), frozenset({Role.admin}), PASSWORD)
    await service.record_access(national, "/children/c-gd", ["c-gd"], "440105000000")
    await service.record_access(national, "/children/c-bj", ["c-bj"], "110101000000")
    gd = await token(http, "gd-admin", PASSWORD)
    entries = (await http.get("/audit/access", headers=gd)).json()["entries"]
    assert [(e["username"], e["child_id"]) for e in entries] == [("admin", "c-gd")]
    admin = await token(http, "admin", admin_password)
    by_child = (await http.get("/audit/access", params={"child_id": "c-bj"}, headers=admin)).json()["entries"]
    assert [e["region"] for e in by_child] == ["110101000000"]


async def test_an_older_stream_gains_the_account_subjects(nc):
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM, subjects=[ALL_EVENTS], storage=StorageType.FILE))
    await EventLog(nc).ensure_stream()
    assert (await js.stream_info(STREAM)).config.subjects == [ALL_EVENTS, ACCOUNT_EVENTS]
