"""最美爱心妈妈: the yearly recognition of the most beautiful caring mothers (fathers, families).

A district/county or street/town office nominates a volunteer of its subtree for a year; the
nomination carries her record of that year — service hours, pairs, the five ones, wishes fulfilled
— as the read side gave it when she was nominated (`ServiceRecord`: the HTTP API fills it in,
never the client). The city or province office above reviews it: awards her, or declines with a
reason. One nomination per volunteer and year (its id is made of both: `nomination_id`), an
aggregate of its own (`nomination`) under the volunteer's region.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from contracts.commands import Command, Id
from contracts.envelope import Event, FederationLevel
from contracts.text import Reason

FIRST_YEAR = 2000
NOMINATING_LEVELS = (FederationLevel.district, FederationLevel.street)
AWARDING_LEVELS = (FederationLevel.city, FederationLevel.province)


def nomination_id(volunteer_id: str, year: int) -> str:
    """The one nomination of a volunteer for a year: `2026-<volunteer id>`, or a digest of the id
    where that would be longer than an id may be (64 characters)."""
    readable = f"{year}-{volunteer_id}"
    if len(readable) <= 64:
        return readable
    return f"{year}-{hashlib.sha256(volunteer_id.encode()).hexdigest()[:40]}"


class ServiceRecord(BaseModel):
    """What a volunteer did in the year, as the read models stood on `as_of` (the nomination's day):
    service minutes and activities, the pairs she was in and their children, the pair-months judged
    under the five ones and those in which no rule was missed, and her pairs' children's wishes
    fulfilled while she cared for them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    service_minutes: int = Field(ge=0)
    activities: int = Field(ge=0)
    pairs: int = Field(ge=0)
    children: int = Field(ge=0)
    five_ones_judged: int = Field(ge=0, description="pair-months over by as_of, judged under the five ones")
    five_ones_met: int = Field(ge=0, description="of those, the pair-months in which no rule was missed")
    wishes_fulfilled: int = Field(ge=0)


# --- commands ---

class NominateVolunteer(Command):
    """Nominate a volunteer for the year's 最美爱心妈妈 (a district/county or street/town office)."""

    volunteer_id: Id
    year: int = Field(ge=FIRST_YEAR, le=2100)
    nominated_on: date | None = Field(default=None, description="default: today; not in the future")
    record: ServiceRecord = Field(description=(
        "filled in by the HTTP API from the read models as the volunteer is nominated; never sent by a client"))

    filled_by_server: ClassVar[frozenset[str]] = frozenset({"record"})


class AwardVolunteer(Command):
    """Award a nominated volunteer the year's 最美爱心妈妈 (a city or province office above her)."""

    nomination_id: Id
    awarded_on: date | None = Field(default=None, description=(
        "default: today; not in the future, not before she was nominated"))


class DeclineNomination(Command):
    """Decline a nomination, saying why (a city or province office above the volunteer)."""

    nomination_id: Id
    reason: Reason
    declined_on: date | None = Field(default=None, description=(
        "default: today; not in the future, not before she was nominated"))


# --- events ---

class VolunteerNominated(Event):
    aggregate_type: ClassVar[str] = "nomination"
    nomination_id: str
    volunteer_id: str
    year: int
    region: str = Field(description="the volunteer's region when nominated")
    nominated_by: str = Field(description="the nominating office's division code")
    nominator_level: FederationLevel
    nominated_on: date
    record: ServiceRecord


class VolunteerAwarded(Event):
    aggregate_type: ClassVar[str] = "nomination"
    nomination_id: str
    volunteer_id: str
    year: int
    awarded_by: str = Field(description="the awarding office's division code")
    level: FederationLevel = Field(description="the awarding office's level: a city's or a province's award")
    awarded_on: date


class NominationDeclined(Event):
    aggregate_type: ClassVar[str] = "nomination"
    nomination_id: str
    volunteer_id: str
    year: int
    declined_by: str
    level: FederationLevel
    declined_on: date
    reason: str
