"""Every event type of the contract, by the name its envelope gives (`event_type`).

Importing this module imports every context's events; the envelope itself knows none of them, so
that a module of events can import the envelope without a cycle.
"""

from __future__ import annotations

import functools
from types import MappingProxyType

from pydantic import create_model

from contracts import accounts, operations  # noqa: F401
from contracts.activity import care, concerns, giving, reminders, wishes  # noqa: F401
from contracts.intake import child_file, imports, registration, volunteers  # noqa: F401
from contracts.pairing import matching, pairs  # noqa: F401
from contracts.reporting import bulletin, recognition, submission  # noqa: F401
from contracts.envelope import Envelope, Event
from contracts.upcasting import upcast


def _subclasses(base: type[Event]) -> list[type[Event]]:
    found = []
    for cls in base.__subclasses__():
        found += [cls, *_subclasses(cls)]
    return found


EVENT_TYPES = MappingProxyType({cls.__name__: cls for cls in _subclasses(Event)})


def event_types() -> dict[str, type[Event]]:
    """Every event type of the contract, by name."""
    return dict(EVENT_TYPES)


def typed_event(envelope: Envelope) -> Event:
    """The typed event inside an envelope, upcast from the schema version it was stored with to the
    current one; raises KeyError for a type this version does not know, and
    pydantic's ValidationError for data that does not fit its type."""
    event_type = EVENT_TYPES[envelope.event_type]
    return event_type.model_validate(upcast(envelope, event_type.schema_version))


@functools.cache
def typed_envelope(event_type: type[Event]) -> type[Envelope]:
    """An envelope whose `data` is validated as `event_type` in the same pass over the JSON: for a
    reader of many events at the type's current schema version, which then needs no second
    validation of a dict built for it (a third of the time a rebuild spent decoding). Its `data`
    is the typed event, not a dict."""
    return create_model(f"{event_type.__name__}Envelope", __base__=Envelope, data=(event_type, ...))
