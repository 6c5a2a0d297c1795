"""Personal data as it stands in the log: sealed with the key of the person it describes.

Names, ID numbers, addresses and phone numbers of children, guardians and volunteers never appear in
plaintext in an event. Each person has one key, held in a key store outside the log; destroying the
key erases that person from every replay of the log (crypto-shredding).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Sealed(BaseModel):
    """AES-256-GCM ciphertext of a JSON object, bound to the person it belongs to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key_id: str = Field(description="the person whose key seals this (their aggregate id)")
    alg: str = "A256GCM"
    nonce: str = Field(description="base64, 12 bytes")
    ciphertext: str = Field(description="base64 of the sealed JSON object and its tag")


class LegacyPlaintext(BaseModel):
    """Free text as an event stored before its field was sealed (an older schema version) holds it.

    Made only by an upcaster (`contracts.upcasting`) when such an old event is read, never written:
    every event written now seals the text instead."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plaintext: str


ERASED = "[erased]"
# Shown for a sealed value that is there but cannot be opened (forged, or damaged): the rest of a
# listing is shown as usual.
UNREADABLE = "[无法读取]"
"""What a reader shows in place of personal data whose key was destroyed."""
