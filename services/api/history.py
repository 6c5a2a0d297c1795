"""How one stored event is shown to an operator: who, when, where — personal data stays sealed."""

from __future__ import annotations

from typing import Any

from services.shared.eventlog import StoredEvent

SEALED_MARK = "<sealed>"


def history_view(stored: StoredEvent) -> dict[str, Any]:
    envelope = stored.envelope
    return {
        "seq": stored.seq,
        "version": envelope.aggregate_version,
        "event_type": envelope.event_type,
        "occurred_at": envelope.occurred_at.isoformat(),
        "recorded_at": envelope.recorded_at.isoformat(),
        "actor": envelope.actor.model_dump(mode="json"),
        "region": envelope.region,
        "causation_id": envelope.causation_id,
        "data": {key: _unsealed_view(value) for key, value in envelope.data.items()},
    }


def _unsealed_view(value: Any) -> Any:
    if isinstance(value, dict) and {"key_id", "nonce", "ciphertext"} <= value.keys():
        return SEALED_MARK
    return value
