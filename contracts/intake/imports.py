"""Bulk commands for imports of civil-affairs lists: many registrations in one request.

Each row is a complete `RegisterChild` / `RecruitVolunteer` with its own `command_id`, so a row
sent twice (a re-import, a retried batch) is recognised like any retried command. The reply gives
one `RowOutcome` per row, in order: a row refused does not refuse the others.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.commands import Command
from contracts.intake.registration import RecruitVolunteer, RegisterChild

MAX_ROWS = 500


class RegisterChildren(Command):
    rows: list[RegisterChild] = Field(min_length=1, max_length=MAX_ROWS)


class RecruitVolunteers(Command):
    rows: list[RecruitVolunteer] = Field(min_length=1, max_length=MAX_ROWS)


class RowStatus(StrEnum):
    registered = "registered"
    already_registered = "already_registered"  # the person is on file already: nothing was added
    refused = "refused"


class RowOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    status: RowStatus
    id: str | None = Field(default=None, description="child_id or volunteer_id")
    region: str | None = Field(default=None, description="where the person is (already) registered")
    message: str | None = None
    field: str | None = Field(default=None, description="the offending field of a refused row")
