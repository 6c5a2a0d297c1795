"""Base of all commands: imperative requests that may be refused.

`command_id` makes a command idempotent: sending the same command twice yields one set of events,
because event ids (and new aggregate ids) are derived from it.
"""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.envelope import Actor

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
"""Aggregate ids are also subject tokens, so they may not contain '.', '*', '>' or spaces."""


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    command_id: str = Field(default_factory=lambda: uuid4().hex, min_length=1, max_length=128)
    actor: Actor
    correlation_id: str | None = None
