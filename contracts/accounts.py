"""Accounts: who may sign in, at which office, in which roles.

An account's id is its username. Its events are stored on `aixin.acct.<username>`
(`contracts.subjects.account_subject`), outside the region hierarchy of `aixin.evt.>`, so that the
subscriptions of provincial and city systems never carry them. No event ever holds a password or a
password hash: those live only in the credential store.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import ClassVar

from pydantic import Field, field_validator

from contracts.envelope import Event, FederationLevel

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,31}$"
_USERNAME = re.compile(USERNAME_PATTERN)


class Role(StrEnum):
    viewer = "viewer"  # figures of the subtree, no personal data
    caseworker = "caseworker"  # files (personal data) of the subtree and the everyday commands
    approver = "approver"  # approves or rejects pair proposals (never her own), may read files
    admin = "admin"  # manages the accounts of her subtree, never at an office above hers
    system = "system"  # figures and event feeds for other systems, no personal data


PERSONAL_DATA_ROLES = frozenset({Role.caseworker, Role.approver})


def is_username(text: str) -> bool:
    return bool(_USERNAME.fullmatch(text))


def _account_id():
    return Field(pattern=USERNAME_PATTERN, description="the username")


# Each event names its aggregate itself: the registry takes every subclass of Event for an event type.
class AccountCreated(Event):
    aggregate_type: ClassVar[str] = "account"

    account_id: str = _account_id()
    office: str = Field(description="'CN' or the 12-digit division code of the account's office")
    level: FederationLevel
    roles: list[Role] = Field(min_length=1)

    @field_validator("roles")
    @classmethod
    def _sorted_unique(cls, roles: list[Role]) -> list[Role]:
        # One spelling of a set, so that equal accounts have equal events.
        return sorted(set(roles))


class RoleGranted(Event):
    aggregate_type: ClassVar[str] = "account"

    account_id: str = _account_id()
    role: Role


class RoleRevoked(Event):
    aggregate_type: ClassVar[str] = "account"

    account_id: str = _account_id()
    role: Role


class AccountDisabled(Event):
    aggregate_type: ClassVar[str] = "account"

    account_id: str = _account_id()


class PasswordChanged(Event):
    """That the password changed, and by whom (the envelope's actor); never the password."""

    aggregate_type: ClassVar[str] = "account"

    account_id: str = _account_id()
