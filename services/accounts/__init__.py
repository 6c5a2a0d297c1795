"""Accounts: identity for every entry point. An account (username, office, roles, disabled) is made
of its events on `aixin.acct.<username>`; its argon2 hash and the access log live in the credential
store beside the key store. Pure decisions in `domain` and `lockout`; `store`, `passwords`, `tokens`
and `service` are the adapters. Shared identity code: it knows no entry point (services.api/cli/platform).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from services.accounts.cache import AccountCache
from services.accounts.service import AccountService
from services.accounts.store import CredentialStore
from services.accounts.tokens import TOKEN_TTL, TokenIssuer, token_key
from services.shared.eventlog import EventLog


async def open_accounts(log: EventLog, keys_engine: AsyncEngine, data_dir: Path,
                        ttl: timedelta = TOKEN_TTL, cache: AccountCache | None = None) -> AccountService:
    """The account service of an installation: its tables made, its token key read or made."""
    store = CredentialStore(keys_engine)
    await store.create_schema()
    return AccountService(log, store, TokenIssuer(token_key(data_dir), ttl), cache=cache)


__all__ = ["AccountCache", "AccountService", "CredentialStore", "TokenIssuer", "open_accounts"]
