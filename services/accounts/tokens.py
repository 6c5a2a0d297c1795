"""Access tokens: HS256 JWTs (PyJWT) naming the account, valid for 15 minutes. The key is 32 random
bytes in data_dir/token.key (0600), made on first start; deleting it signs everyone out.

A token carries only the username, its times and the account's token version when it was issued:
roles, office, whether the account is disabled and its token version are those of the account now
(services.accounts.cache keeps them only until the account's next event), so a change takes effect
at once, and a new password, a role taken or the account disabled ends every token issued before it."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from services.accounts.errors import TokenExpired, TokenInvalid

TOKEN_TTL = timedelta(minutes=15)
ALGORITHM = "HS256"
KEY_FILE = "token.key"
# Tokens whose signature was verified, kept with their claims: a request's token was decoded twice
# (its body's limit, then its caller), a tenth of an API process's CPU under commands over HTTP.
# Keyed by the whole token, so only the very token verified matches; its expiry is checked anew at
# each use. Beyond this many, the cache starts over (15 minutes of tokens of every operator fit).
MAX_VERIFIED = 20_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int  # seconds
    token_type: str = "bearer"

    def reply(self) -> dict:
        return {"access_token": self.access_token, "token_type": self.token_type, "expires_in": self.expires_in}


class TokenIssuer:
    def __init__(self, key: bytes, ttl: timedelta = TOKEN_TTL,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        if len(key) < 32:
            raise ValueError("a token key has at least 32 bytes")
        self._key, self.ttl, self._clock = key, ttl, clock
        self._verified: dict[str, tuple[str, int, int]] = {}  # token -> (username, version, exp)

    def issue(self, username: str, version: int = 0) -> IssuedToken:
        now = self._clock()
        claims = {"sub": username, "iat": int(now.timestamp()), "exp": int((now + self.ttl).timestamp()),
                  "jti": secrets.token_hex(8), "ver": version}
        return IssuedToken(jwt.encode(claims, self._key, algorithm=ALGORITHM), int(self.ttl.total_seconds()))

    def mac(self, purpose: str, value: str) -> str:
        """A keyed digest of `value` for `purpose` (e.g. a form's token from its session): only this
        installation's key makes it."""
        return hmac.new(self._key, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()

    def username_of(self, token: str) -> str:
        """The account the token names; TokenExpired or TokenInvalid otherwise."""
        return self.claims_of(token)[0]

    def claims_of(self, token: str) -> tuple[str, int]:
        """The account the token names and its token version then; TokenExpired or TokenInvalid."""
        verified = self._verified.get(token)
        if verified is None:
            verified = self._verify(token)
            if len(self._verified) >= MAX_VERIFIED:
                self._verified.clear()
            self._verified[token] = verified
        username, version, expires = verified
        if self._clock().timestamp() >= expires:
            raise TokenExpired()
        return username, version

    def _verify(self, token: str) -> tuple[str, int, int]:
        try:
            # Expiry is checked against our own clock (claims_of), so that it can be tested without waiting.
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM],
                                options={"require": ["sub", "exp", "iat"], "verify_exp": False,
                                         "verify_iat": False})
        except jwt.PyJWTError:
            raise TokenInvalid() from None
        if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("exp"), int):
            raise TokenInvalid()
        version = claims.get("ver", 0)  # a token issued before versions were kept: the first
        if not isinstance(version, int):
            raise TokenInvalid()
        return claims["sub"], version, claims["exp"]


def token_key(data_dir: Path) -> bytes:
    """The installation's token key, created (0600) if absent."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written aside and linked into place: another process never reads a half-written key, and
        # if two make one at once, both use the one linked first.
        draft = data_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_bytes()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds {len(key)} bytes, a token key has 32; delete it to make a new one")
    return key
