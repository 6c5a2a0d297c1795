"""The account service: signing in, the account behind a token, and an admin's changes to accounts,
each recorded as an event on `aixin.acct.<username>` before the credential store is written.

Every change loads the account's history and appends with the expected last sequence of its
subject, so two admins creating the same username at once yield one account and one refusal; a
change to an existing account that meets a concurrent one is decided again on the fresh history.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import uuid4

from contracts.accounts import Role, is_username
from contracts.envelope import Actor, Envelope, Event
from contracts.regions import InvalidRegion, Region, parse_region
from contracts.subjects import ACCOUNT_AGGREGATE, account_subject
from services.accounts import domain
from services.accounts.cache import AccountCache
from services.accounts.domain import Account, AccountExists, Principal
from services.accounts.errors import AccountDisabled, LockedOut, TokenEnded, TokenInvalid, WrongCredentials
from services.accounts.lockout import Lockout
from services.accounts.passwords import hash_password, verify_password
from services.accounts.store import AccessEntry, CredentialStore
from services.accounts.tokens import IssuedToken, TokenIssuer
from services.shared.errors import ConcurrencyConflict, NotFound
from services.shared.eventlog import EventLog, History, PendingEvent

CHANGE_ATTEMPTS = 4


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AccountService:
    def __init__(self, log: EventLog, store: CredentialStore, tokens: TokenIssuer,
                 lockout: Lockout | None = None, clock: Callable[[], datetime] = _utc_now,
                 cache: AccountCache | None = None) -> None:
        self.log, self.store, self.tokens = log, store, tokens
        self.lockout = lockout or Lockout()
        self._clock = clock
        self.cache = cache  # None: the account behind a token is read from the store every time

    # Signing in -------------------------------------------------------------------------------

    async def sign_in(self, username: str, password: str) -> IssuedToken:
        """A token for the account; WrongCredentials (never saying which was wrong), LockedOut
        after too many failures, AccountDisabled for a disabled account's right password."""
        key = username[:64]  # what the lock-out remembers of an arbitrary string
        if wait := self.lockout.wait(key, self._clock()):
            raise LockedOut(wait)
        found = await self.store.credentials(username) if len(username) <= 32 else None
        if not await verify_password(found.password_hash if found else None, password):
            self.lockout.failed(key, self._clock())
            raise WrongCredentials()
        self.lockout.succeeded(key)
        if found.account.disabled:
            raise AccountDisabled()
        return self.tokens.issue(username, found.account.token_version)

    async def account_of_token(self, token: str) -> Account:
        """The account a token names, read afresh: TokenExpired, TokenInvalid, AccountDisabled, or
        TokenEnded if the account changed (password, role taken) since the token was issued."""
        username, version = self.tokens.claims_of(token)
        account = await self._account_now(username)
        if account is None:  # a token of another installation's key cannot get here; a deleted row can
            raise TokenInvalid()
        if account.disabled:
            raise AccountDisabled()
        if version != account.token_version:
            raise TokenEnded()
        return account

    async def account(self, username: str) -> Account | None:
        return await self.store.account(username)

    async def _account_now(self, username: str) -> Account | None:
        if self.cache is None:
            return await self.store.account(username)
        if (kept := self.cache.get(username)) is not None:
            return kept
        found = await self.store.versioned(username)
        if found is None:
            return None
        self.cache.offer(*found)
        return found[0]

    async def _save(self, account: Account, version: int, password_hash: str | None = None) -> None:
        await self.store.save(account, password_hash, version)
        if self.cache is not None:  # this process forgets it at once, without waiting for the event
            self.cache.changed(account.username, version)

    # An admin's changes -----------------------------------------------------------------------

    async def create(self, by: Principal, username: str, office: Region, roles: frozenset[Role],
                     password: str) -> Account:
        domain.check_password(password)
        domain.decide_create(by, username, office, roles, None)  # the checks, before a subject is named
        history = await self.log.load(ACCOUNT_AGGREGATE, username)
        events = domain.decide_create(by, username, office, roles, self._fold(history))
        password_hash = await hash_password(password)
        try:
            await self._append(history, events, domain.actor_of(by, Role.admin))
        except ConcurrencyConflict:  # another admin created it a moment before
            raise AccountExists(username) from None
        account = domain.account_of(events)
        await self._save(account, history.version + len(events), password_hash)
        return account

    async def grant(self, by: Principal, username: str, role: Role) -> Account:
        return await self._change(by, username, lambda a: domain.decide_grant(by, a, username, role))

    async def revoke(self, by: Principal, username: str, role: Role) -> Account:
        return await self._change(by, username, lambda a: domain.decide_revoke(by, a, username, role))

    async def disable(self, by: Principal, username: str) -> Account:
        return await self._change(by, username, lambda a: domain.decide_disable(by, a, username))

    async def change_password(self, by: Principal, username: str, password: str) -> Account:
        domain.check_password(password)
        password_hash = await hash_password(password)
        return await self._change(by, username, lambda a: domain.decide_password(by, a, username),
                                  password_hash)

    async def within(self, by: Principal) -> list[Account]:
        domain.check_manages(by, by.office, "the list of accounts")
        return await self.store.within(by.office)

    # The access log ---------------------------------------------------------------------------

    async def record_access(self, caller: Principal, route: str, child_ids: list[str], region: str) -> None:
        entries = [AccessEntry(caller.username, caller.office.code, route, child_id, _spelled(region))
                   for child_id in (child_ids or [None])]
        await self.store.record_access(entries)

    async def record_reads(self, caller: Principal, route: str, reads: list[tuple[str, str]]) -> None:
        """One entry per (child, her region) read, all in one write: a listing of children from
        many villages is one transaction, not one per village."""
        await self.store.record_access([AccessEntry(caller.username, caller.office.code, route, child_id,
                                                    _spelled(region)) for child_id, region in reads])

    async def access_entries(self, by: Principal, child_id: str | None = None,
                             username: str | None = None) -> list[dict]:
        domain.check_manages(by, by.office, "the access log")
        return await self.store.access_entries(by.office, child_id, username)

    # The first start --------------------------------------------------------------------------

    async def bootstrap(self, username: str, office: Region, roles: frozenset[Role], password: str,
                        actor: Actor) -> bool:
        """Create the first account if the store holds none; False if it holds some. If the log
        knows the account already (the store was lost), its state is taken from the log and only
        the password is new."""
        if await self.store.count():
            return False
        system = _System(actor.operator_id, office, frozenset({Role.admin}))
        history = await self.log.load(ACCOUNT_AGGREGATE, username)
        events = domain.decide_first_account(system, username, office, roles, self._fold(history))
        await self._append(history, events, actor)
        await self._save(domain.account_of([*self._events(history), *events]), history.version + len(events),
                         await hash_password(password))
        return True

    # ------------------------------------------------------------------------------------------

    async def _change(self, by: Principal, username: str, decide: Callable[[Account | None], list[Event]],
                      password_hash: str | None = None) -> Account:
        if not is_username(username):  # never a wildcard or a dot in a subject loaded
            raise NotFound(f"there is no account named {username!r}")
        for attempt in range(CHANGE_ATTEMPTS):
            history = await self.log.load(ACCOUNT_AGGREGATE, username)
            events = decide(self._fold(history))
            account = domain.account_of([*self._events(history), *events])
            if events:
                try:
                    await self._append(history, events, domain.actor_of(by, Role.admin))
                except ConcurrencyConflict:
                    if attempt == CHANGE_ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
                    continue
            await self._save(account, history.version + len(events), password_hash)
            return account
        raise AssertionError("unreachable")

    def _events(self, history: History) -> list[Event]:
        return [stored.event for stored in history.events]

    def _fold(self, history: History) -> Account | None:
        return domain.account_of(self._events(history))

    async def _append(self, history: History, events: list[Event], actor: Actor) -> int:
        now, operation = self._clock(), uuid4().hex
        username = events[0].aggregate_id
        pending = [PendingEvent(
            subject=account_subject(username),
            envelope=Envelope(
                event_id=uuid4(), event_type=event.type_name(), schema_version=event.schema_version,
                aggregate_type=ACCOUNT_AGGREGATE, aggregate_id=username,
                aggregate_version=history.version + number, occurred_at=now, recorded_at=_utc_now(),
                actor=actor, region=self._region(history, events), correlation_id=operation,
                causation_id=operation, data=event.model_dump(mode="json")),
            # Only the first is checked: the server compares it with the stream before the batch.
            expected_seq=history.last_seq if number == 1 else None,
        ) for number, event in enumerate(events, start=1)]
        return await self.log.append(pending)

    def _region(self, history: History, events: list[Event]) -> str:
        created = getattr(events[0], "office", None)
        return created or history.events[-1].envelope.region


def _spelled(region: str) -> str:
    """One spelling per region, so that an admin's subtree finds its entries by prefix."""
    try:
        return parse_region(region).code
    except InvalidRegion:
        return region[:12]


class _System:
    """The bootstrap acting as a national admin, for the domain's checks."""

    def __init__(self, username: str, office: Region, roles: frozenset[Role]) -> None:
        self.username, self.office, self.roles = username, office, roles
