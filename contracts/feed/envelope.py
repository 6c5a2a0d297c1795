"""The one envelope every integration event is published in (`FeedMessage`).

`id` is a UUIDv5 of the domain event it came from and its place among the messages made from that
event: translating the same domain event again gives the same id, which is published as the
`Nats-Msg-Id` header, so a retried or rebuilt publication is not stored twice within the duplicate
window. `origin_seq` is the domain log's stream sequence: a subscriber's cursor that stays valid
when the feed is rebuilt and renumbered.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from contracts.feed.events import BY_KIND, IntegrationEvent
from contracts.feed.subjects import feed_subject

FEED_NAMESPACE = uuid5(NAMESPACE_URL, "urn:aixin:feed")
"""The namespace of every FeedMessage id (fixed: changing it would give every message a new id)."""

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def message_id(origin_event_id: UUID | str, kind: str, index: int) -> str:
    """The id of the `index`-th message (from 0), of `kind`, made from the domain event `origin_event_id`."""
    return str(uuid5(FEED_NAMESPACE, f"{UUID(str(origin_event_id))}/{kind}/{index}"))


class FeedMessage(BaseModel):
    """One integration event as it is published: what it is, where it came from, where and when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    envelope_version: ClassVar[int] = 1

    id: str = Field(pattern=_UUID, description=(
        "UUIDv5 of the origin event id, the kind and the message's index: the same on every "
        "translation, published as Nats-Msg-Id"))
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$",
                      description="the integration event's kind: the subject's last token")
    version: int = Field(ge=1, description="the integration event's version (its schema file)")
    origin_event_id: str = Field(pattern=_UUID, description="the id of the domain event it was translated from")
    origin_seq: int = Field(ge=1, description="the domain log's stream sequence of that event: a cursor "
                                              "that survives a rebuild of the feed")
    region: str = Field(pattern=r"^[0-9]{12}$", description="the place it concerns (12-digit division code)")
    occurred_on: date = Field(description="its business date")
    data: dict[str, Any] = Field(description="the integration event's fields, per the schema of kind and version")

    @classmethod
    def of(cls, event: IntegrationEvent, *, origin_event_id: UUID | str, origin_seq: int, region: str,
           index: int = 0) -> FeedMessage:
        return cls(id=message_id(origin_event_id, event.kind, index), kind=event.kind, version=event.version,
                   origin_event_id=str(origin_event_id), origin_seq=origin_seq, region=region,
                   occurred_on=event.occurred_on, data=event.model_dump(mode="json"))

    @property
    def subject(self) -> str:
        return feed_subject(self.region, self.kind)

    def event(self) -> IntegrationEvent:
        """The typed integration event; KeyError for a kind this version does not know."""
        return BY_KIND[self.kind].model_validate(self.data)

    def encode(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def decode(cls, payload: bytes | str) -> FeedMessage:
        return cls.model_validate_json(payload)
