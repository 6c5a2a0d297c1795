"""The key store on SQLite and PostgreSQL: keys are created once, whoever asks first, and an erased
person's key is never created again."""

from __future__ import annotations

import asyncio

import pytest

from services.shared.privacy import KeyStore
from tests.log.test_projections import read_db  # noqa: F401  (the SQLite and PostgreSQL engines)


async def test_keys_are_created_together_and_kept(read_db) -> None:  # noqa: F811
    store = KeyStore(read_db)
    await store.create_schema()
    people = [f"person-{n}" for n in range(1200)]
    keys = await store.ensure_keys(people)
    assert len(set(keys.values())) == len(people) and all(len(k) == 32 for k in keys.values())
    fresh = KeyStore(read_db)  # another process: nothing cached
    assert await fresh.ensure_keys(people[:10] + ["someone-new"]) == {
        **{p: keys[p] for p in people[:10]}, "someone-new": await store.key_for("someone-new")}


async def test_two_stores_asking_at_once_get_the_same_key(read_db) -> None:  # noqa: F811
    first, second = KeyStore(read_db), KeyStore(read_db)
    await first.create_schema()
    people = [f"child-{n}" for n in range(300)]
    a, b = await asyncio.gather(first.ensure_keys(people), second.ensure_keys(list(reversed(people))))
    assert a == b


async def test_an_erased_persons_key_is_not_created_again(read_db) -> None:  # noqa: F811
    store = KeyStore(read_db)
    await store.create_schema()
    sealed = await store.seal("child-x", {"name": "某某"})
    assert await store.destroy("child-x")
    other = KeyStore(read_db)
    with pytest.raises(PermissionError, match="child-x was erased"):
        await other.ensure_keys(["child-y", "child-x"])
    with pytest.raises(PermissionError, match="erased"):
        await store.seal("child-x", {"name": "某某"})
    assert await other.unseal(sealed) is None
    assert len(await other.key_for("child-y")) == 32


async def test_a_locked_database_at_start_is_waited_for_other_errors_are_not(monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    from services.shared import db

    pause = asyncio.sleep
    monkeypatch.setattr(db.asyncio, "sleep", lambda _: pause(0))  # the half-second waits, skipped
    calls = []

    async def locked_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("BEGIN", {}, Exception("database is locked"))
        return "done"

    assert await db.when_unlocked(locked_twice) == "done" and len(calls) == 3

    async def broken() -> None:
        raise OperationalError("SELECT", {}, Exception("no such table: person_keys"))

    with pytest.raises(OperationalError, match="no such table"):
        await db.when_unlocked(broken)
