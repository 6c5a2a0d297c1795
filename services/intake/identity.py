"""Ids derived from who a person is, so that registering the same person twice names the same
aggregate (and the second registration is refused), whoever registers them and from whichever file.

Ids appear in NATS subjects and in every event, so they are keyed hashes (HMAC-SHA256 with the
installation's secret from the key store), never plain hashes: an 18-digit identity number, or a
name with a birth date, is easily found again by hashing every candidate.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from services.shared.privacy import KeyStore


async def child_id_for_id_number(keys: KeyStore, id_number: str) -> str:
    return _keyed(await keys.id_secret(), "child/id-number", id_number.strip().upper())


async def child_id_for_particulars(keys: KeyStore, region: str, name: str, birth_date: date,
                                   guardian_name: str | None) -> str:
    """For a child listed without an identity number: the same name, birth date, community and
    guardian are taken to be the same child."""
    return _keyed(await keys.id_secret(), "child/particulars", region, name.strip(),
                  birth_date.isoformat(), (guardian_name or "").strip())


async def volunteer_id_for_phone(keys: KeyStore, name: str, phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    return _keyed(await keys.id_secret(), "volunteer/phone", name.strip(), digits)


def _keyed(secret: bytes, *parts: str) -> str:
    return hmac.digest(secret, "\x1f".join(parts).encode(), hashlib.sha256).hex()[:32]
