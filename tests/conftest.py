"""Shared fixtures: a real nats-server from the wheel per test (free port, temporary store), the
event log on it, a key store and read models on SQLite — or PostgreSQL where a test asks for it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest

# The processes of pytest-xdist start with COLUMNS=80 in their environment; the CLI's Rich consoles,
# made at import, would keep that width for good, and the tests that give a command its own width
# (CliRunner's env) would get tables cut and messages wrapped at 80 columns. Without it, each
# console asks for its width as it prints, as in a terminal.
os.environ.pop("COLUMNS", None)

from contracts.envelope import Actor, FederationLevel
from services.shared.db import make_engine
from services.platform.embedded_nats import EmbeddedNats
from services.shared.eventlog import EventLog
from services.shared.privacy import KeyStore
from services.shared.unit_of_work import Deps

NATIONAL = Actor(operator_id="op-national", level=FederationLevel.national, region="CN")
POSTGRES_URL = os.environ.get("AIXIN_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def nats_server(tmp_path: Path):
    server = EmbeddedNats(tmp_path / "nats").start()
    yield server
    server.stop()


@pytest.fixture
async def nc(nats_server: EmbeddedNats) -> AsyncIterator[nats.NATS]:
    client = await nats.connect(nats_server.url)
    yield client
    await client.close()


@pytest.fixture
async def event_log(nc) -> EventLog:
    log = EventLog(nc)
    await log.ensure_stream()
    return log


@pytest.fixture
async def keys(tmp_path: Path) -> AsyncIterator[KeyStore]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}")
    store = KeyStore(engine)
    await store.create_schema()
    yield store
    await engine.dispose()


@pytest.fixture
def deps(event_log: EventLog, keys: KeyStore) -> Deps:
    return Deps(log=event_log, keys=keys, clock=lambda: datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
