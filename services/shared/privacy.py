"""Sealing personal data with per-person keys held in a key store outside the event log.

Destroying a person's key (`KeyStore.destroy`) makes every sealed value of theirs unreadable in the
log, in every replay and in every read model that keeps the sealed form: crypto-shredding.

For the key to be gone from disk too, not only from the table, the store's engine comes from
`make_engine(url, durable=True)`: on SQLite its connections zero what they free, and `destroy`
truncates the WAL. On PostgreSQL the old row version stays until VACUUM and in WAL and backups
(README, Guarantees: Privacy).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError
from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.privacy import ERASED, UNREADABLE, Sealed
from services.shared.db import upsert, when_unlocked

log = logging.getLogger(__name__)
CHECKPOINT_WAIT_MS = 5000  # how long a destruction waits for readers before the WAL is truncated
CHECKPOINT_ATTEMPTS = 3
ID_SECRET = "__child_id_secret__"  # a row of the key table, never a person's id
metadata = MetaData()
person_keys = Table(
    "person_keys", metadata,
    Column("person_id", String(160), primary_key=True),
    Column("key", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("destroyed_at", DateTime(timezone=True), nullable=True),
)


class KeyStore:
    """Per-person keys, created on first use.

    Keys are created by group commit: the keys asked for by concurrent commands are written in one
    transaction, so registering many people costs a few database writes, not one each.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._cache: dict[str, bytes | None] = {}  # None: the key was destroyed
        self._waiting: dict[str, asyncio.Future[bytes]] = {}
        self._writer: asyncio.Task | None = None

    async def create_schema(self) -> None:
        async def create() -> None:
            async with self._engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
        await when_unlocked(create)

    async def key_for(self, person_id: str) -> bytes:
        """The person's key, created on first use; refuses a person whose key was destroyed."""
        key = self._cache.get(person_id, _UNKNOWN)
        if key is _UNKNOWN:  # the common case, a key in hand, costs no future and no task
            key = (await self.ensure_keys([person_id]))[person_id]
        if key is None:
            raise PermissionError(f"the personal data of {person_id} was erased")
        return key

    async def ensure_keys(self, person_ids: list[str]) -> dict[str, bytes]:
        """The keys of several people, creating the missing ones together."""
        futures = {}
        for person_id in dict.fromkeys(person_ids):
            if person_id in self._cache:
                futures[person_id] = self._cache[person_id]
                continue
            if person_id not in self._waiting:
                self._waiting[person_id] = asyncio.get_running_loop().create_future()
            futures[person_id] = self._waiting[person_id]
        if self._waiting and (self._writer is None or self._writer.done()):
            self._writer = asyncio.create_task(self._write_waiting())
        keys = {}
        for person_id, pending in futures.items():
            key = pending if not isinstance(pending, asyncio.Future) else await pending
            if key is None:
                raise PermissionError(f"the personal data of {person_id} was erased")
            keys[person_id] = key
        return keys

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                found = await self._create(list(batch))
            except Exception as error:  # every waiting command learns of the failure
                for future in batch.values():
                    future.set_exception(error)
                continue
            for person_id, future in batch.items():
                future.set_result(self._remember(person_id, found[person_id]))

    async def _create(self, person_ids: list[str]) -> dict[str, bytes | None]:
        """Insert a fresh key for everyone asked for; where a key (or its erasure) exists already,
        the insert does nothing, and what is stored is read back. Keys are asked for mostly for
        people being registered, so the read back is usually of nobody."""
        column, now = person_keys.c, _now()
        # In one order everywhere: two stores inserting the same people wait for each other instead
        # of deadlocking on PostgreSQL's unique index.
        fresh = {p: AESGCM.generate_key(bit_length=256) for p in sorted(person_ids)}
        async with self._engine.begin() as conn:
            inserted = set((await conn.execute(
                upsert(self._engine, person_keys).on_conflict_do_nothing(index_elements=["person_id"])
                .returning(column.person_id),
                [{"person_id": p, "key": key, "created_at": now} for p, key in fresh.items()],
            )).scalars())
            found: dict[str, bytes | None] = {p: fresh[p] for p in inserted}
            if len(inserted) < len(fresh):
                found.update((await conn.execute(select(column.person_id, column.key).where(
                    column.person_id.in_([p for p in fresh if p not in inserted])))).all())
        return found

    async def id_secret(self) -> bytes:
        """The installation's secret for ids derived from identity numbers: keyed, so that an id
        seen in a subject cannot be traced back to a number by trying every possible one."""
        return await self.key_for(ID_SECRET)

    async def _lookup(self, person_id: str) -> bytes | None:
        if person_id not in self._cache:
            async with self._engine.connect() as conn:
                row = (await conn.execute(
                    select(person_keys.c.key).where(person_keys.c.person_id == person_id)
                )).first()
            if row is None:
                return None
            self._remember(person_id, row.key)
        return self._cache[person_id]

    def _remember(self, person_id: str, key: bytes | None) -> bytes | None:
        # A key read just before a destruction committed must not come back into the cache after
        # `destroy` cleared it.
        if self._cache.get(person_id, _UNKNOWN) is not None:
            self._cache[person_id] = key
        return self._cache[person_id]

    async def destroy(self, person_id: str) -> bool:
        """Destroy the person's key, in the table, in this store's cache and (on SQLite) on disk.

        The row stays, key NULL, so the key is never created again. Overwriting the key with zeros
        first would add nothing: SQLite zeroes the freed cell itself (secure_delete), and
        PostgreSQL writes every update as a new row version, leaving the old one as it was."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(person_keys).where(person_keys.c.person_id == person_id)
                .values(key=None, destroyed_at=_now())
            )
        self._cache[person_id] = None
        if self._engine.dialect.name == "sqlite":
            await self._truncate_wal()
        return result.rowcount > 0

    async def _truncate_wal(self) -> None:
        """Copy the WAL into the database file and cut it to nothing: until then the WAL holds the
        page as it was before the destruction, key and all. The checkpoint needs every reader to
        have moved past that page; a read open elsewhere (another process, or a read of this one)
        is waited for, a bounded time, and if it is still open the erasure stands in the table and
        the WAL is cut at a later destruction or checkpoint (journal_size_limit) instead."""
        async with self._engine.connect() as conn:
            # Outside any transaction: a connection in a transaction cannot checkpoint.
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            try:
                for _ in range(CHECKPOINT_ATTEMPTS):
                    checkpoint = await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy, _frames, _copied = checkpoint.one()
                    if not busy:
                        return
                log.warning("key store WAL not truncated after a key destruction: a reader held it "
                            "for %.0f s; a destroyed key may stay in the WAL until the next checkpoint",
                            CHECKPOINT_ATTEMPTS * CHECKPOINT_WAIT_MS / 1000)
            finally:
                await conn.exec_driver_sql("PRAGMA busy_timeout=30000")  # as `make_engine` set it

    async def seal(self, person_id: str, value: dict[str, Any]) -> Sealed:
        key = await self.key_for(person_id)
        nonce = os.urandom(12)
        plaintext = json.dumps(value, ensure_ascii=False).encode()
        ciphertext = AESGCM(key).encrypt(nonce, plaintext, person_id.encode())
        return Sealed(key_id=person_id, nonce=_b64(nonce), ciphertext=_b64(ciphertext))

    async def unseal(self, sealed: Sealed | dict | None) -> dict[str, Any] | None:
        """The sealed value, or None if there is none or its key was destroyed (erased)."""
        if sealed is None:
            return None
        sealed = Sealed.model_validate(sealed)
        key = await self._lookup(sealed.key_id)
        if key is None:
            return None
        plaintext = AESGCM(key).decrypt(
            base64.b64decode(sealed.nonce), base64.b64decode(sealed.ciphertext), sealed.key_id.encode()
        )
        return json.loads(plaintext)

    async def prefetch(self, person_ids: list[str]) -> None:
        """Read the keys of many people in one query per 500 (creating none): for opening many values."""
        wanted = [p for p in dict.fromkeys(person_ids) if p not in self._cache]
        for start in range(0, len(wanted), 500):
            async with self._engine.connect() as conn:
                found = (await conn.execute(select(person_keys.c.person_id, person_keys.c.key)
                                            .where(person_keys.c.person_id.in_(wanted[start:start + 500])))).all()
            for person_id, key in found:
                self._remember(person_id, key)

    async def why_unopenable(self, sealed: Sealed | dict) -> str | None:
        """Why a sealed value cannot be opened although its key was never destroyed (forged, or
        damaged), else None: it opens, or its person was erased, whose data is unreadable on purpose."""
        try:
            sealed = Sealed.model_validate(sealed)
            if await self._lookup(sealed.key_id) is None and sealed.key_id not in self._cache:
                return f"no key was ever made for {sealed.key_id!r}"
            await self.unseal(sealed)
        except InvalidTag:
            return f"it does not open with the key of {sealed.key_id} (forged, or damaged)"
        except ValidationError as error:  # without the input pydantic would echo: it may be personal data
            return "it is not a sealed value: " + "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in error.errors()[:3])
        except (ValueError, TypeError) as error:  # base64, nonce length, JSON
            return f"it cannot be opened with the key of {sealed.key_id}: {type(error).__name__}: {error}"[:300]
        return None

    async def name_of(self, sealed: Sealed | dict | None) -> str:
        """The name for a listing: ERASED once the key is destroyed, UNREADABLE for a sealed value
        that cannot be opened, so that one bad row never keeps the rest of a listing from showing."""
        try:
            value = await self.unseal(sealed)
        except (InvalidTag, ValueError, TypeError) as error:  # ValueError: base64, JSON, pydantic
            log.warning("a sealed name under key %s cannot be opened: %s",
                        getattr(sealed, "key_id", None) or (sealed or {}).get("key_id"), type(error).__name__)
            return UNREADABLE
        return value.get("name", ERASED) if isinstance(value, dict) else ERASED


_UNKNOWN = object()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _now() -> datetime:
    return datetime.now(UTC)
