"""The credential store: each account's state and argon2 hash, and the access log, in tables of the
key-store database (`Settings.key_store_url`), apart from the event log.

An account's row follows its events: it is written after the log has acknowledged them, and holds
what they made of the account, so the row can always be told against the log. Only the hash is the
store's alone; it never leaves this module but to be verified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (Boolean, Column, DateTime, Integer, MetaData, String, Table, bindparam, func, inspect, or_,
                        select, text, update)
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.accounts import Role
from contracts.regions import Region, parse_region
from services.accounts.domain import Account
from services.shared.db import upsert, when_unlocked

metadata = MetaData()
accounts = Table(
    "accounts", metadata,
    Column("username", String(32), primary_key=True),
    Column("office", String(12), nullable=False, index=True),  # 'CN' or the 12-digit code
    Column("level", String(16), nullable=False),
    Column("roles", String(200), nullable=False),  # comma-separated, sorted
    Column("disabled", Boolean, nullable=False, default=False),
    Column("password_hash", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("token_version", Integer, nullable=False, default=0, server_default="0"),
    # The version of the account's events (their count) this row was written from: an API process's
    # account cache keeps a row only if no later event is known (services.accounts.cache).
    Column("version", Integer, nullable=False, default=0, server_default="0"),
)
access_log = Table(
    "access_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(32), nullable=False, index=True),
    Column("office", String(12), nullable=False),
    Column("route", String(200), nullable=False),
    Column("child_id", String(64), nullable=True, index=True),
    Column("region", String(12), nullable=False, index=True),
)
AUDIT_LIMIT = 1000


@dataclass(frozen=True)
class Credentials:
    account: Account
    password_hash: str


@dataclass(frozen=True)
class AccessEntry:
    username: str
    office: str
    route: str
    child_id: str | None
    region: str


# Built once: read for every request (its caller's account), a statement built per call cost a
# stats read 5% of its time.
_BY_USERNAME = select(accounts).where(accounts.c.username == bindparam("username"))


class CredentialStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create_schema(self) -> None:
        async def create() -> None:
            async with self._engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
                await conn.run_sync(_add_versions)
        await when_unlocked(create)

    async def credentials(self, username: str) -> Credentials | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(_BY_USERNAME, {"username": username})).first()
        return None if row is None else Credentials(_account(row), row.password_hash)

    async def account(self, username: str) -> Account | None:
        found = await self.credentials(username)
        return None if found is None else found.account

    async def versioned(self, username: str) -> tuple[Account, int] | None:
        """The account and the version of its events the row was written from."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(_BY_USERNAME, {"username": username})).first()
        return None if row is None else (_account(row), row.version)

    async def count(self) -> int:
        async with self._engine.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(accounts))).scalar_one()

    async def save(self, account: Account, password_hash: str | None = None, version: int = 0) -> None:
        """Write the account as its events up to `version` left it; its hash too if given (a new or
        changed password), else the stored hash stays."""
        values = {"office": account.office.code, "level": account.office.level.value,
                  "roles": ",".join(sorted(account.roles)), "disabled": account.disabled,
                  "token_version": account.token_version, "version": version, "updated_at": _now()}
        async with self._engine.begin() as conn:
            if password_hash is None:
                await conn.execute(update(accounts).where(accounts.c.username == account.username).values(**values))
                return
            statement = upsert(self._engine, accounts).values(username=account.username,
                                                               password_hash=password_hash, **values)
            await conn.execute(statement.on_conflict_do_update(
                index_elements=["username"], set_={**values, "password_hash": password_hash}))

    async def within(self, region: Region) -> list[Account]:
        """The accounts whose office is `region` or below it, by username."""
        query = select(accounts).order_by(accounts.c.username)
        if region.prefix:
            query = query.where(accounts.c.office.startswith(region.prefix))
        async with self._engine.connect() as conn:
            return [_account(row) for row in await conn.execute(query)]

    async def record_access(self, entries: Sequence[AccessEntry]) -> None:
        if not entries:
            return
        now = _now()
        async with self._engine.begin() as conn:
            await conn.execute(access_log.insert(), [
                {"at": now, "username": e.username, "office": e.office, "route": e.route[:200],
                 "child_id": e.child_id, "region": e.region} for e in entries])

    async def access_entries(self, region: Region, child_id: str | None = None,
                             username: str | None = None, limit: int = AUDIT_LIMIT) -> list[dict]:
        """Entries about data of `region`'s subtree, or by accounts of it, newest first."""
        column = access_log.c
        query = select(access_log).order_by(column.id.desc()).limit(limit)
        if region.prefix:
            query = query.where(or_(column.region.startswith(region.prefix), column.office.startswith(region.prefix)))
        if child_id is not None:
            query = query.where(column.child_id == child_id)
        if username is not None:
            query = query.where(column.username == username)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [{"id": r.id, "at": _utc(r.at).isoformat(), "username": r.username, "office": r.office,
                 "route": r.route, "child_id": r.child_id, "region": r.region} for r in rows]


def _account(row) -> Account:
    roles = frozenset(Role(name) for name in row.roles.split(",") if name)
    return Account(row.username, parse_region(row.office), roles, bool(row.disabled), row.token_version)


def _add_versions(conn) -> None:
    """A store made before accounts had a token version, or a row version, gains the column (every
    account at 0: such a row is read from the store on every request until its account next changes)."""
    have = {column["name"] for column in inspect(conn).get_columns("accounts")}
    for name in ("token_version", "version"):
        if name not in have:
            conn.execute(text(f"ALTER TABLE accounts ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0"))


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite hands times back without a zone


def _now() -> datetime:
    return datetime.now(UTC)
