"""Operations on the platform itself that the log must remember: an event a read model could not
apply (parked, with its aggregate's later events held behind it) and that an operator dropped.

A skip is an aggregate of its own, named after the read model and the stream sequence it drops, so
that one event is skipped once; it is stored under the region of the event it drops. Every follower
that meets it in the log (a rebuild too) drops that event from its parked events and applies the
events of its aggregate that were held behind it.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from contracts.envelope import Event
from contracts.text import Reason


def parked_event_id(projection: str, seq: int) -> str:
    return f"{projection}-{seq}"


class ParkedEventSkipped(Event):
    aggregate_type: ClassVar[str] = "parked_event"

    parked_event_id: str = Field(description="'<projection>-<seq>': the read model and the event it drops")
    projection: str = Field(max_length=64, description="the read model (or process) that will never apply it")
    seq: int = Field(ge=1, description="the stream sequence of the event dropped")
    subject: str = Field(description="the subject the event dropped is stored on")
    event_type: str = Field(description="its type, as its envelope names it")
    region: str = Field(description="the owning region of the event dropped; this one is stored under it")
    error: str = Field(description="why the read model could not apply it, when it was dropped")
    reason: Reason = Field(description="why the operator dropped it")
