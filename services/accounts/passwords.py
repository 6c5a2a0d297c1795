"""Password hashing with argon2id (argon2-cffi). Hashing takes tens of milliseconds of CPU on
purpose, so it runs in a worker thread, off the event loop that serves every other request."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that an unknown name costs as long as a wrong
# password and the timing does not tell which it was.
_DUMMY_HASH = _hasher.hash("not the password of anyone")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; an unknown account (None) takes as long and never matches."""
    return await asyncio.to_thread(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
