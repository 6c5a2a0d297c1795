"""What an account is, made of its events, and what an admin may do to one: pure, no I/O.

An admin manages the accounts whose office lies within her own office's subtree — never one above
it or beside it — and cannot disable her own account or take her own admin role, so that the last
admin of an office cannot lock everyone out by mistake. A disabled account is final: there is no
event that enables it again, so nothing else is done to it either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from contracts.accounts import (AccountCreated, AccountDisabled, PasswordChanged, Role, RoleGranted,
                                RoleRevoked, is_username, USERNAME_PATTERN)
from contracts.envelope import Actor, Event
from contracts.regions import InvalidRegion, Region, known_region, parse_region
from services.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated

MIN_PASSWORD = 10
MAX_PASSWORD = 256


class Principal(Protocol):
    """Whoever acts: a signed-in caller (services.api.auth.Caller) or an `Account`."""

    username: str
    office: Region
    roles: frozenset[Role]


@dataclass(frozen=True)
class Account:
    username: str
    office: Region
    roles: frozenset[Role]
    disabled: bool = False
    # Counts the changes that end the tokens issued before them (a new password, a role taken, the
    # account disabled); a token carries the count it was issued at, and one of another is refused.
    token_version: int = 0

    def view(self) -> dict:
        """The account as replies show it: never a password or a hash, which it does not hold."""
        return {"username": self.username, "office": self.office.code, "level": self.office.level.value,
                "roles": sorted(self.roles), "disabled": self.disabled}


class AccountExists(RuleViolated):
    def __init__(self, username: str) -> None:
        super().__init__(f"an account named {username!r} exists already")


def account_of(events: Iterable[Event]) -> Account | None:
    """The account as its events leave it (None: it was never created)."""
    account: Account | None = None
    for event in events:
        if isinstance(event, AccountCreated):
            account = Account(event.account_id, parse_region(event.office), frozenset(event.roles))
        elif account is None:
            continue  # cannot happen in a log written by this code; ignore rather than guess
        elif isinstance(event, RoleGranted):
            account = replace(account, roles=account.roles | {event.role})
        elif isinstance(event, RoleRevoked):
            account = replace(account, roles=account.roles - {event.role}, token_version=account.token_version + 1)
        elif isinstance(event, AccountDisabled):
            account = replace(account, disabled=True, token_version=account.token_version + 1)
        elif isinstance(event, PasswordChanged):
            account = replace(account, token_version=account.token_version + 1)
    return account


def actor_of(who: Principal, role: Role) -> Actor:
    return Actor(operator_id=who.username, level=who.office.level, region=who.office.code, role=role.value)


def office_named(text: str) -> Region:
    """The office of a new account: CN or a known division code."""
    try:
        return known_region(text)
    except InvalidRegion as error:
        raise InvalidCommand("office", str(error)) from None


def roles_named(names: Sequence[str]) -> frozenset[Role]:
    known = {role.value for role in Role}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidCommand("roles", f"{', '.join(map(repr, unknown))} is not a role; roles are "
                                      f"{', '.join(sorted(known))}")
    if not names:
        raise InvalidCommand("roles", "an account needs at least one role")
    return frozenset(Role(name) for name in names)


def check_password(password: str) -> None:
    """A password an account may have; the message never repeats it."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidCommand("password", f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def check_manages(by: Principal, office: Region, what: str) -> None:
    """`by` is an admin whose office contains `office`."""
    if Role.admin not in by.roles:
        raise Forbidden(f"{by.username} is not an admin: only admins manage accounts")
    if not by.office.contains(office):
        raise Forbidden(f"{what} is at office {office.code}, outside {by.username}'s office {by.office.code}")


def decide_create(by: Principal, username: str, office: Region, roles: frozenset[Role],
                  existing: Account | None) -> list[Event]:
    if not is_username(username):
        raise InvalidCommand("username", f"a username matches {USERNAME_PATTERN}")
    if not roles:
        raise InvalidCommand("roles", "an account needs at least one role")
    check_manages(by, office, f"the account {username!r}")
    if existing is not None:
        raise AccountExists(username)
    return [AccountCreated(account_id=username, office=office.code, level=office.level, roles=sorted(roles))]



def decide_first_account(by: Principal, username: str, office: Region, roles: frozenset[Role],
                         existing: Account | None) -> list[Event]:
    """The first start's account: created, or, where the log knows it already (the credential
    store was lost), kept as the log has it with a new password."""
    if existing is None:
        return decide_create(by, username, office, roles, None)
    return [PasswordChanged(account_id=username)]

def _managed(by: Principal, account: Account | None, username: str) -> Account:
    if account is None:
        raise NotFound(f"there is no account named {username!r}")
    check_manages(by, account.office, f"the account {username!r}")
    if account.disabled:
        raise RuleViolated(f"the account {username!r} is disabled; accounts are not enabled again, create a new one")
    return account


def decide_grant(by: Principal, account: Account | None, username: str, role: Role) -> list[Event]:
    account = _managed(by, account, username)
    return [] if role in account.roles else [RoleGranted(account_id=username, role=role)]


def decide_revoke(by: Principal, account: Account | None, username: str, role: Role) -> list[Event]:
    account = _managed(by, account, username)
    if role not in account.roles:
        return []
    if account.roles == {role}:
        raise RuleViolated(f"{username!r} would be left without a role; disable the account instead")
    if username == by.username and role is Role.admin:
        raise RuleViolated("an admin cannot take her own admin role; another admin of her office or above can")
    return [RoleRevoked(account_id=username, role=role)]


def decide_disable(by: Principal, account: Account | None, username: str) -> list[Event]:
    if username == by.username:
        raise RuleViolated("an admin cannot disable her own account; another admin of her office or above can")
    if account is not None and account.disabled:
        check_manages(by, account.office, f"the account {username!r}")
        return []
    _managed(by, account, username)
    return [AccountDisabled(account_id=username)]


def decide_password(by: Principal, account: Account | None, username: str) -> list[Event]:
    """An account changes its own password; an admin changes those of the accounts she manages."""
    if account is not None and username == by.username:
        if account.disabled:
            raise RuleViolated(f"the account {username!r} is disabled")
    else:
        _managed(by, account, username)
    return [PasswordChanged(account_id=username)]
