"""Erasure that holds on disk: after a child is erased through the real handlers, neither the
destroyed keys nor the particulars — nor the free text written about the child (a wish's item, a
visit's note, a concern's notes), each naming her — can be found in any file the platform wrote:
the key store (database, WAL, shared memory), the nats-server store and the read models, read byte
for byte.

On PostgreSQL the server's files are out of a test's reach; there the key store's part is run to
show the stored key is gone from the live row and from the store's cache (what the README promises
for PostgreSQL, and no more)."""

from __future__ import annotations

import base64
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.privacy import ERASED
from services.projections import all_projections
from services.shared.db import make_engine
from services.shared.follower.projector import Projector
from services.shared.privacy import KeyStore, person_keys
from services.shared.sealed_text import text_of
from services.shared.unit_of_work import Deps
from tests.conftest import POSTGRES_URL
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import CHILD, ok, trained_volunteers
from tests.log.test_projections import _fresh_postgres_database

PERSON = {**CHILD, "address": "广州市海珠区江南大道中一百号", "school": "海珠区第一小学"}
# Free text about the child, each naming her: sealed with her key, so shredded with it.
WRITTEN = {"item": f"{PERSON['name']}的新书包", "visit": f"和{PERSON['name']}一起读书",
           "concern": f"{PERSON['name']}最近不愿说话", "follow_up": f"{PERSON['name']}按时咨询"}
PARTICULARS = [PERSON["name"], PERSON["id_number"], PERSON["guardian"]["name"], PERSON["guardian"]["phone"],
               PERSON["address"], PERSON["school"], *WRITTEN.values()]


@pytest.fixture
async def durable_keys(tmp_path: Path) -> AsyncIterator[tuple[KeyStore, AsyncEngine]]:
    # The key store as the platform makes it (services/platform/runtime.py), not the test default.
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'keys.db'}", durable=True)
    (tmp_path / "data").mkdir()
    store = KeyStore(engine)
    await store.create_schema()
    yield store, engine
    await engine.dispose()


async def stored_keys(engine: AsyncEngine, people: list[str]) -> dict[str, bytes | None]:
    async with engine.connect() as conn:
        return dict((await conn.execute(
            select(person_keys.c.person_id, person_keys.c.key).where(person_keys.c.person_id.in_(people))
        )).all())


def needles(keys: list[bytes]) -> dict[str, bytes]:
    """What must not be found: each key raw, in base64 and in hex, and each particular as UTF-8,
    GBK and UTF-16-LE (the encodings a Chinese name or address could be written in)."""
    found = {}
    for n, key in enumerate(keys):
        found |= {f"key {n} raw": key, f"key {n} base64": base64.b64encode(key),
                  f"key {n} hex": key.hex().encode()}
    for text in PARTICULARS:
        for encoding in ("utf-8", "gbk", "utf-16-le"):
            found[f"{text} {encoding}"] = text.encode(encoding)
    return found


def hits(root: Path, wanted: dict[str, bytes]) -> list[str]:
    files = [path for path in root.rglob("*") if path.is_file()]
    assert any(p.name == "keys.db" for p in files) and any("nats" in p.parts for p in files)
    return [f"{label} in {path.relative_to(root)}" for path in files
            for data in [path.read_bytes()] for label, needle in wanted.items() if needle in data]


async def written_about(deps: Deps, child_id: str) -> dict[str, str]:
    """A wish, a visit of her pair and a concern, each naming the child; the ids of wish and pair."""
    await ok(deps, "record_consent", child_id=child_id, relation="grandparent", given_by=PERSON["guardian"]["name"],
             scopes=["pairing"], given_on="2026-05-01")
    volunteers = await trained_volunteers(deps)
    pair_id = (await ok(deps, "form_pair", child_ids=[child_id], volunteer_ids=volunteers,
                        formed_on="2026-05-10"))["pair_id"]
    await ok(deps, "log_visit", pair_id=pair_id, kind="reading", visited_on="2026-05-30", duration_minutes=60,
             note=WRITTEN["visit"])
    wish_id = (await ok(deps, "submit_wish", child_id=child_id, item=WRITTEN["item"], estimated_cost_yuan=80))["wish_id"]
    concern_id = (await ok(deps, "raise_concern", child_id=child_id, kind="depression_signs", raised_on="2026-05-20",
                           note=WRITTEN["concern"]))["concern_id"]
    await ok(deps, "follow_up_concern", concern_id=concern_id, followed_up_on="2026-05-29", note=WRITTEN["follow_up"])
    return {"wish": wish_id, "pair": pair_id, "concern": concern_id}


async def read_models_in(data_dir: Path, deps: Deps) -> None:
    """The read models, built from the log into the data dir, as `aixin up` keeps them."""
    engine = make_engine(f"sqlite+aiosqlite:///{data_dir / 'read.db'}")
    projector = Projector(deps.log, engine, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, deps.log)
    await engine.dispose()


async def test_erased_keys_and_particulars_are_in_no_file(durable_keys, event_log, tmp_path) -> None:
    store, engine = durable_keys
    deps = Deps(log=event_log, keys=store, clock=lambda: datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    child_id = (await ok(deps, "register_child", **PERSON))["child_id"]
    ids = await written_about(deps, child_id)
    await read_models_in(tmp_path / "data", deps)
    people = [child_id, f"guardian-of-{child_id}"]
    before = await stored_keys(engine, people)
    assert set(before) == set(people) and all(len(key) == 32 for key in before.values())
    wanted = needles(list(before.values()))
    # The scan finds what is there: before erasure the keys are on disk (WAL or database file).
    assert any(label.startswith("key 0 raw") for label in hits(tmp_path, wanted))

    [submitted] = (await event_log.load("wish", ids["wish"])).events
    assert await text_of(store, submitted.event.item, "item") == WRITTEN["item"]  # there, sealed

    await ok(deps, "erase_child_data", child_id=child_id, requested_by="guardian")
    await read_models_in(tmp_path / "data", deps)  # the erasure followed into the read models too

    assert await stored_keys(engine, people) == {p: None for p in people}
    [visited] = (await event_log.load("pair_care", ids["pair"])).events
    [raised, followed] = (await event_log.load("concern", ids["concern"])).events
    written = [(submitted.event.item, "item"), (visited.event.note, "note"), (raised.event.note, "note"),
               (followed.event.note, "note")]
    assert [await text_of(store, value, field) for value, field in written] == [ERASED] * 4
    assert (tmp_path / "data" / "read.db").exists()  # scanned below with the rest
    assert all(store._cache[p] is None for p in people)  # this process's cache dropped them too
    assert (tmp_path / "data" / "keys.db-wal").stat().st_size == 0  # truncated, not just reused
    assert hits(tmp_path, wanted) == []


async def test_a_destroyed_key_leaves_no_copy_among_many(durable_keys, tmp_path) -> None:
    # With one child the key's page is rewritten whole; among hundreds of keys its old cell is
    # freed inside a shared page, which only secure_delete zeroes (many SQLite builds, Debian's
    # among them, turn it on by default; others do not, so the key store asks for it).
    store, engine = durable_keys
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA secure_delete")).scalar() == 1
    await store.ensure_keys([f"child-{n}" for n in range(500)])
    key = await store.key_for("child-3")
    assert await store.destroy("child-3")
    assert [p.name for p in (tmp_path / "data").iterdir() if key in p.read_bytes()] == []


async def test_a_key_read_before_its_destruction_is_not_cached_again(durable_keys) -> None:
    # A lookup (or key creation) that read the key just before the destruction committed hands
    # it to the cache afterwards; the destruction wins.
    store, _ = durable_keys
    sealed = await store.seal("child-r", {"name": "某某"})
    key = await store.key_for("child-r")
    await store.destroy("child-r")
    assert store._remember("child-r", key) is None
    assert await store.unseal(sealed) is None


@contextlib.asynccontextmanager
async def _postgres_key_store() -> AsyncIterator[tuple[KeyStore, AsyncEngine]]:
    async with _fresh_postgres_database(POSTGRES_URL) as url:  # skips, or fails under CI=true
        engine = make_engine(url, durable=True)
        try:
            store = KeyStore(engine)
            await store.create_schema()
            yield store, engine
        finally:
            await engine.dispose()  # before the database is dropped


async def test_on_postgresql_the_live_row_and_the_cache_lose_the_key() -> None:
    async with _postgres_key_store() as (store, engine):
        sealed = await store.seal("child-p", {"name": "某某"})
        assert len((await stored_keys(engine, ["child-p"]))["child-p"]) == 32
        assert await store.destroy("child-p")
        assert await stored_keys(engine, ["child-p"]) == {"child-p": None}
        assert await store.unseal(sealed) is None and await KeyStore(engine).unseal(sealed) is None


async def test_a_reader_holding_the_wal_delays_erasure_a_bounded_time(durable_keys, monkeypatch, caplog,
                                                                      tmp_path) -> None:
    from services.shared import privacy

    monkeypatch.setattr(privacy, "CHECKPOINT_WAIT_MS", 100)
    store, _ = durable_keys
    await store.ensure_keys(["child-a", "child-b"])
    # A read transaction open on another connection (another process, an operator's sqlite3
    # shell) pins the WAL. This process's own reads do not: the driver opens no transaction for a
    # SELECT, so a read holds the WAL only while its statement runs.
    reader = sqlite3.connect(tmp_path / "data" / "keys.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM person_keys").fetchall()
    try:
        started = datetime.now(UTC)
        assert await store.destroy("child-a")
        assert (datetime.now(UTC) - started).total_seconds() < 5
        assert "WAL not truncated" in caplog.text
    finally:
        reader.close()
    assert await store.destroy("child-b")  # the reader gone, the next destruction truncates
    assert (tmp_path / "data" / "keys.db-wal").stat().st_size == 0
