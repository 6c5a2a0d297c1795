"""A raw message decoded in one pass (`RawMessage.decode_typed`) hands out what decoding the envelope
and then typing its event hands out, and refuses what that refuses, with the same reason: an event
of the current version, one of an older version (upcast), one whose header names another type, one
without a header, one of a type this version does not know, and events that do not fit."""

from __future__ import annotations

import pytest

from contracts.registry import typed_event
from services.shared.eventlog import MalformedEvent, RawMessage
from tests.unit.test_upcasting import SEALED, V1, stored

CURRENT = {**V1["WishSubmitted"], "item": SEALED}


def _raw(envelope, header: str | None = "same") -> RawMessage:
    return RawMessage(7, "aixin.events.x", envelope.model_dump_json().encode(),
                      envelope.event_type if header == "same" else header)


def _two_passes(message: RawMessage):
    """What the readers did before: the envelope, then its event (None for an unknown type)."""
    envelope = message.decode().envelope
    try:
        return envelope, typed_event(envelope)
    except KeyError:
        return envelope, None


@pytest.mark.parametrize("message", [
    _raw(stored("WishSubmitted", CURRENT, version=2)),
    _raw(stored("WishSubmitted", V1["WishSubmitted"], version=1)),  # upcast from version 1
    _raw(stored("WishSubmitted", CURRENT, version=2), header="PairFormed"),  # a header that lies
    _raw(stored("WishSubmitted", CURRENT, version=2), header=None),
], ids=["current", "older version", "other header", "no header"])
def test_the_same_event_as_two_passes(message: RawMessage) -> None:
    decoded = message.decode_typed()
    envelope, event = _two_passes(message)
    assert decoded.event == event
    assert (decoded.seq, decoded.subject, decoded.envelope.event_type, decoded.envelope.region,
            decoded.envelope.occurred_at) == (7, "aixin.events.x", envelope.event_type, envelope.region,
                                              envelope.occurred_at)


def test_a_type_this_version_does_not_know_passes_untyped() -> None:
    envelope = stored("WishSubmitted", CURRENT, version=2).model_copy(update={"event_type": "SomethingNew"})
    decoded = _raw(envelope).decode_typed()
    assert decoded.envelope.data == CURRENT
    with pytest.raises(KeyError):
        decoded.event  # noqa: B018


@pytest.mark.parametrize("data, reason", [
    ({**CURRENT, "item": "书包"}, "item"),  # plaintext where the current version seals
    ({k: v for k, v in CURRENT.items() if k != "child_id"}, "child_id: Field required"),
])
def test_an_event_that_does_not_fit_is_refused_with_the_reason_two_passes_gave(data: dict, reason: str) -> None:
    message = _raw(stored("WishSubmitted", data, version=2))
    with pytest.raises(MalformedEvent) as refused:
        message.decode_typed()
    assert reason in refused.value.reason and refused.value.seq == 7
    assert refused.value.reason.startswith("WishSubmitted")  # the event's, not the one-pass envelope's


def test_a_broken_envelope_is_refused_as_before() -> None:
    message = RawMessage(9, "aixin.events.x", b'{"event_type": "WishSubmitted"}', "WishSubmitted")
    with pytest.raises(MalformedEvent) as one_pass:
        message.decode_typed()
    with pytest.raises(MalformedEvent) as before:
        message.decode()
    assert one_pass.value.reason == before.value.reason
