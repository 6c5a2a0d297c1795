"""Free text for a reader who may see personal data: opened with the key store's own `unseal`, and
never an exception in its place — one bad or erased value must not keep the rest of a page from
showing (as `KeyStore.name_of` does for names)."""

from __future__ import annotations

import logging

from cryptography.exceptions import InvalidTag

from contracts.privacy import ERASED, UNREADABLE, LegacyPlaintext, Sealed
from services.shared.privacy import KeyStore

log = logging.getLogger(__name__)


async def text_of(keys: KeyStore, value: Sealed | LegacyPlaintext | dict | None, field: str) -> str | None:
    """The text `field` of a sealed value: None where there is none, ERASED once its key was
    destroyed (the person was erased), UNREADABLE for a value that cannot be opened. An old event's
    `LegacyPlaintext` (stored before the field was sealed) is shown as it stands."""
    if isinstance(value, LegacyPlaintext):
        return value.plaintext
    if value is None:
        return None
    try:
        opened = await keys.unseal(value)
    except (InvalidTag, ValueError, TypeError) as error:  # ValueError: base64, JSON, pydantic
        key_id = value.get("key_id") if isinstance(value, dict) else getattr(value, "key_id", None)
        log.warning("a sealed %s under key %s cannot be opened: %s", field, key_id, type(error).__name__)
        return UNREADABLE
    if not isinstance(opened, dict):
        return ERASED
    text = opened.get(field)
    return text if text is None or isinstance(text, str) else UNREADABLE
