"""Care activities: what volunteers did with children and guardians, for a pair or collectively.

A pair's activity is an event of the pair's care (one volunteer calling, a reading at home). A
collective activity — at a station, or held by a volunteer team for many children — is an event of
the station's or the team's care, and records attendance as person-times, the figure the reports quote ("2,000+
activities serving 300,000 person-times"). Notes are sealed; evidence is referenced (photo ids,
sign-in sheets kept elsewhere), never embedded.

The care of a pair, a station or a team (`pair_care`, `station_care`, `team_care`, keyed by the id of
what it is the care of) is activity's own aggregate, apart from the pair (pairing's) and the station
and team (intake's): each context writes only its own. Version 1 of these events was written on the
pair, the station or the team itself (`FORMER_AGGREGATES`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, StringConstraints

from contracts.commands import Command, Id
from contracts.envelope import Event
from contracts.privacy import Sealed
from contracts.text import Text



EvidenceRef = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^\S+$")]


class ActivityKind(StrEnum):
    """The kinds of `contracts.activity.VisitKind`, and `other`: a visit's kind is an activity's kind."""

    phone_call = "phone_call"
    home_visit = "home_visit"
    reading = "reading"
    holiday_activity = "holiday_activity"
    birthday = "birthday"
    study_trip = "study_trip"
    station_activity = "station_activity"
    counselling = "counselling"
    other = "other"


class ActivityPlace(StrEnum):
    home = "home"
    school = "school"
    station = "station"
    other = "other"


class _Activity(Command):
    activity_id: Id | None = None
    kind: ActivityKind
    held_on: date
    duration_minutes: int = Field(ge=1, le=24 * 60)
    place: ActivityPlace | None = Field(default=None, description="none for a phone call")
    guardians_present: int = Field(default=0, ge=0, le=10_000)
    note: Text | None = None
    evidence: list[EvidenceRef] = Field(default_factory=list, max_length=20)


class LogActivity(_Activity):
    """Log what a pair did; those present default to the whole pair."""

    pair_id: Id
    volunteer_ids: list[Id] | None = Field(default=None, max_length=50,
                                           description="volunteers present; default: the pair's")
    child_ids: list[Id] | None = Field(default=None, max_length=50, description=(
        "children present; default: the pair's; [] for a contact with the guardian alone"))


class LogCollectiveActivity(_Activity):
    """Log an activity held at a station or by a team; `attendance` counts everyone, named or not."""

    station_id: Id | None = None
    team_id: Id | None = None
    volunteer_ids: list[Id] = Field(default_factory=list, max_length=500)
    child_ids: list[Id] = Field(default_factory=list, max_length=500,
                                description="children on file who attended, by id")
    attendance: int | None = Field(default=None, ge=1, le=1_000_000,
                                   description="person-times; default: those named plus guardians")


class _ActivityFacts(BaseModel):
    """The fields every activity event shares (not an event itself)."""

    activity_id: str
    kind: ActivityKind
    held_on: date
    duration_minutes: int
    place: ActivityPlace | None
    volunteer_ids: tuple[str, ...]
    child_ids: tuple[str, ...]
    guardians_present: int
    person_times: int = Field(description="everyone present: volunteers, children, guardians, others")
    note: Sealed | None = Field(description="sealed free text")
    evidence: tuple[str, ...]


class ActivityLogged(_ActivityFacts, Event):
    """A pair's activity; the note is sealed with the key of the first child present (or of the
    pair's first child, for a contact with the guardian alone)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pair_care"  # v1: on the pair
    keyed_by: ClassVar[str] = "pair"
    pair_id: str


class StationActivityLogged(_ActivityFacts, Event):
    """A collective activity at a station; the note is sealed with the activity's own key."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "station_care"  # v1: on the station
    keyed_by: ClassVar[str] = "station"
    station_id: str


class TeamActivityLogged(_ActivityFacts, Event):
    """A collective activity held by a volunteer team; the note is sealed with the activity's key."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "team_care"  # v1: on the team
    keyed_by: ClassVar[str] = "team"
    team_id: str


# The aggregate each care event was written on in version 1, before activity owned it.
FORMER_AGGREGATES = {"pair_care": "pair", "station_care": "station", "team_care": "team"}


class VisitKind(StrEnum):
    phone_call = "phone_call"
    home_visit = "home_visit"
    reading = "reading"
    holiday_activity = "holiday_activity"
    birthday = "birthday"
    study_trip = "study_trip"
    station_activity = "station_activity"
    counselling = "counselling"


class LogVisit(Command):
    pair_id: Id
    visit_id: Id | None = None
    kind: VisitKind
    visited_on: date
    duration_minutes: int = Field(ge=1, le=24 * 60)
    note: Text | None = None


class VisitLogged(Event):
    """v2: on activity's own aggregate of the pair's care, keyed by the pair's id (v1: on the pair)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pair_care"
    keyed_by: ClassVar[str] = "pair"

    pair_id: str
    visit_id: str
    kind: VisitKind
    visited_on: date
    duration_minutes: int
    child_ids: tuple[str, ...]
    note: Sealed | None = Field(description="sealed free text, with the first child's key")
