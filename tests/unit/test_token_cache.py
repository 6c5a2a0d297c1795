"""Tokens verified once are answered from memory: the same claims, the expiry still checked at each
use, and only the very token verified matched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.accounts import tokens
from services.accounts.errors import TokenExpired, TokenInvalid
from services.accounts.tokens import TokenIssuer

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_a_verified_token_keeps_its_claims_and_still_expires() -> None:
    now = [T0]
    issuer = TokenIssuer(b"k" * 32, clock=lambda: now[0])
    token = issuer.issue("gz-worker", 2).access_token
    assert issuer.claims_of(token) == issuer.claims_of(token) == ("gz-worker", 2)
    now[0] = T0 + timedelta(minutes=15)
    with pytest.raises(TokenExpired):
        issuer.claims_of(token)


def test_only_the_very_token_verified_is_taken_from_memory() -> None:
    issuer = TokenIssuer(b"k" * 32, clock=lambda: T0)
    token = issuer.issue("gz-worker").access_token
    issuer.claims_of(token)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(TokenInvalid):
        issuer.claims_of(forged)
    with pytest.raises(TokenInvalid):  # a refusal is never kept as a token's claims
        issuer.claims_of(forged)


def test_the_memory_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(tokens, "MAX_VERIFIED", 2)
    issuer = TokenIssuer(b"k" * 32, clock=lambda: T0)
    for n in range(5):
        issuer.claims_of(issuer.issue(f"w{n}").access_token)
    assert len(issuer._verified) <= 2
