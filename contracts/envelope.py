"""The one envelope every event travels in, and the base of every event (their registry by name is
`contracts.registry`).

The envelope is what is stored in JetStream. `event_id` doubles as the `Nats-Msg-Id` header, so a
retried append is dropped by the stream's duplicate window instead of being stored twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class FederationLevel(StrEnum):
    national = "national"
    province = "province"
    city = "city"
    district = "district"
    street = "street"
    community = "community"


class Actor(BaseModel):
    """Who did it: an operator (an account's username) of one federation office."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    operator_id: str = Field(min_length=1, max_length=64)
    level: FederationLevel
    region: str = Field(description="division code of the operator's office ('CN' for national)")
    role: str | None = Field(default=None, max_length=32,
                             description="the role the account acted in (contracts.accounts.Role); "
                                         "None in events recorded before accounts existed")


class Event(BaseModel):
    """Base of all domain events: frozen, past tense, versioned.

    Bump `schema_version` whenever the fields change; tests/test_schemas.py compares every event's
    JSON Schema with the one committed under contracts/schemas/ and fails otherwise.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str]
    # A context's own aggregate of another's id (pairing's of a child's pairs, activity's of a pair's
    # care) is keyed by that id: `keyed_by` names its field's prefix, else the aggregate type does.
    keyed_by: ClassVar[str | None] = None

    @property
    def aggregate_id(self) -> str:
        """Every event names its aggregate in the field `<keyed_by or aggregate_type>_id`."""
        return getattr(self, f"{self.keyed_by or self.aggregate_type}_id")

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


class Envelope(BaseModel):
    """One stored event. `aggregate_version` counts the aggregate's events from 1."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    event_type: str
    schema_version: int
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int = Field(ge=1)
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    region: str = Field(description="owning region, 12-digit zero-padded division code")
    correlation_id: str
    causation_id: str
    continues_on: str | None = Field(
        default=None,
        description="set on an aggregate's last event under one region's subject when the same command "
                    "moves it on: the subject its history continues on",
    )
    data: dict[str, Any]

