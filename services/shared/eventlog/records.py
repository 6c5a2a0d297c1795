"""What the event log hands out and takes in: stored events (typed on first use), raw messages,
events to append, an aggregate's history, and the errors a reader or a writer meets."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from pydantic import ValidationError

from contracts.envelope import Envelope, Event
from contracts.registry import EVENT_TYPES, typed_envelope, typed_event

EVENT_TYPE_HEADER = "Aixin-Event-Type"


class MalformedEvent(ValueError):
    def __init__(self, seq: int, subject: str, reason: str) -> None:
        super().__init__(f"stream sequence {seq} on {subject} is not an aixin event: {reason}")
        self.seq, self.subject, self.reason = seq, subject, reason


class BatchRefused(RuntimeError):
    def __init__(self, err_code: int | None, description: str) -> None:
        super().__init__(f"the server refused the batch ({err_code}): {description}")
        self.err_code = err_code


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    subject: str
    envelope: Envelope

    @cached_property
    def event(self) -> Event:
        """The typed event, validated once; raises KeyError for a type this version does not know,
        and pydantic's ValidationError for data that does not fit its type."""
        return typed_event(self.envelope)


@dataclass(frozen=True, slots=True)
class RawMessage:
    seq: int
    subject: str
    data: bytes
    # The Aixin-Event-Type header the event log writes beside every event: a reader can pass by an
    # event no projection of its handles without decoding it (None: no header, decode it).
    event_type: str | None = None

    def decode(self) -> StoredEvent:
        return decode(self.seq, self.subject, self.data)

    def decode_typed(self) -> StoredEvent:
        """The stored event with its typed event validated now (`MalformedEvent` if either does not
        fit). Where the header names a type this version knows, the envelope and the event are
        validated in one pass (`typed_envelope`): the envelope handed out then holds the typed
        event as its `data`. An event of an older schema version (to be upcast), one whose envelope
        names another type than its header, or one that does not fit, is decoded as `decode` does,
        then typed, so that what is handed out and every reason given stay the same."""
        event_type = EVENT_TYPES.get(self.event_type) if self.event_type else None
        if event_type is not None:
            try:
                envelope = typed_envelope(event_type).model_validate_json(self.data)
            except ValidationError:
                envelope = None
            if (envelope is not None and envelope.event_type == self.event_type
                    and envelope.schema_version == event_type.schema_version):
                stored = StoredEvent(self.seq, self.subject, envelope)
                stored.__dict__["event"] = envelope.data  # what `event` would compute, already done
                return stored
        stored = self.decode()
        if stored.envelope.event_type in EVENT_TYPES:
            try:
                stored.event  # noqa: B018  (validated now, kept on the stored event)
            except ValidationError as error:
                raise MalformedEvent(stored.seq, stored.subject, describe(error)) from None
        return stored


@dataclass(frozen=True)
class PendingEvent:
    """An event to append on `subject`, whose last stored sequence must be `expected_seq` (0: none;
    None: not checked, for an aggregate's later events within one batch)."""

    subject: str
    envelope: Envelope
    expected_seq: int | None
    # For a new aggregate: check the expectation over every subject its history could be on, so the
    # same id cannot be started in two regions at once.
    expected_over: str | None = None


@dataclass
class History:
    aggregate: str
    events: list[StoredEvent] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return bool(self.events)

    @property
    def subject(self) -> str | None:
        return self.events[-1].subject if self.events else None

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def last_seq_on(self, subject: str) -> int:
        """The sequence of the aggregate's last event on `subject` (0: none there yet)."""
        return next((e.seq for e in reversed(self.events) if e.subject == subject), 0)

    @property
    def version(self) -> int:
        return self.events[-1].envelope.aggregate_version if self.events else 0

    def envelopes(self) -> list[Envelope]:
        return [stored.envelope for stored in self.events]

def decode(seq: int, subject: str, data: bytes) -> StoredEvent:
    try:
        return StoredEvent(seq, subject, Envelope.model_validate_json(data))
    except ValidationError as error:
        raise MalformedEvent(seq, subject, describe(error)) from None


def describe(error: ValidationError) -> str:
    """What is wrong and where, e.g. 'Envelope: actor: Field required; region: Field required'."""
    parts = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors()[:5]]
    more = error.error_count() - len(parts)
    return f"{error.title}: " + "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
