"""Wish card codes: unguessable, and never stored — only their keyed hash is.

The hash is keyed by an installation secret held in the key store, not in the log: someone who can
read the log (a subscribing city system, a backup) cannot test guesses against it. It also binds
the wish and the card, so a hash copied onto another wish or card matches nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CARD_SECRET = "__wish_card_secret__"  # a row of the key table, never a person's id
CODE_BYTES = 16  # 128 bits: guessing is hopeless however many attempts are made


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(secret: bytes, wish_id: str, card_id: str, code: str) -> str:
    message = f"{wish_id}/{card_id}/{code.strip()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
