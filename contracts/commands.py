"""Base of all commands: imperative requests that may be refused.

`command_id` makes a command idempotent: sending the same command twice yields one set of events,
because event ids (and new aggregate ids) are derived from it.
"""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from contracts.envelope import Actor
from contracts.text import Token

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
"""Aggregate ids are also subject tokens, so they may not contain '.', '*', '>' or spaces."""


def _sent_actor(actor: Actor) -> Actor:
    """`Actor` is part of the published envelope schema, so its fields keep their (loose) types there;
    the actor a command names is checked here instead: its region must look like a division code."""
    if not (1 <= len(actor.region) <= 12 and actor.region.isascii() and actor.region.isalnum()):
        raise ValueError(f"actor.region {actor.region[:20]!r} is not 'CN' or a division code")
    return actor


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    command_id: Token(128) = Field(default_factory=lambda: uuid4().hex)
    actor: Annotated[Actor, AfterValidator(_sent_actor)]
    correlation_id: Token(128) | None = None
