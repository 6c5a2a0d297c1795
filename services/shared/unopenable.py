"""Sealed personal data in the log that cannot be opened although its key stands — forged, or
damaged: what `aixin doctor` reports beside the messages that cannot be read at all. A value whose
key was destroyed is an erasure, unreadable on purpose, and is not reported.

The log of the office's subtree is read as it stands (no read model keeps this: a read model keeps a
sealed value as it came, and opens it only when it is shown); a message that is not an aixin event
is skipped here, the followers' dead letters report it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.regions import Region
from contracts.subjects import subtree_filter
from services.shared.eventlog import EventLog, MalformedEvent, RawMessage, StoredEvent
from services.shared.privacy import KeyStore

SEALED_FIELDS = frozenset({"key_id", "nonce", "ciphertext"})


def sealed_values(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, dict]]:
    """Every sealed value within an event's data, with its dotted path (`personal`, `rows.3.personal`)."""
    if isinstance(value, dict):
        if SEALED_FIELDS <= value.keys():
            yield ".".join(path), value
            return
        for key, item in value.items():
            yield from sealed_values(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from sealed_values(item, (*path, str(index)))


async def unopenable_in(event_log: EventLog, keys: KeyStore, office: Region) -> list[dict]:
    """The sealed values of the office's subtree that cannot be opened, in log order: stream
    sequence, subject, aggregate, region, and why (which field, and what is wrong with it)."""
    found = []
    async for batch in event_log.present(subtree_filter(office.code)):
        sealed = [(stored, field, value) for stored in _events(batch)
                  for field, value in sealed_values(stored.envelope.data)]
        await keys.prefetch([str(value.get("key_id")) for _, _, value in sealed])  # one query, not one per person
        for stored, field, value in sealed:
            if reason := await keys.why_unopenable(value):
                envelope = stored.envelope
                found.append({"seq": stored.seq, "subject": stored.subject, "aggregate_type": envelope.aggregate_type,
                              "aggregate_id": envelope.aggregate_id, "region": envelope.region,
                              "reason": f"sealed {field}: {reason}"})
    return found


def _events(batch: list[RawMessage]) -> Iterator[StoredEvent]:
    for message in batch:
        try:
            yield message.decode()
        except MalformedEvent:
            continue
