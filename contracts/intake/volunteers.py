"""Volunteers' readiness and organisation: training, certification, withdrawal, teams, stations.

A volunteer is in the reserve pool (储备库) until the required training is completed; only then can
they be paired. Teams are managed at city, district, street and community level; stations (驿站)
are opened in a region with at least two opening days a week.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.commands import Command, Id
from contracts.envelope import Event, FederationLevel
from contracts.text import Label, Reason, RegionCode


class TrainingTopic(StrEnum):
    minors_protection_law = "minors_protection_law"
    care_guidelines = "care_guidelines"
    psychology_basics = "psychology_basics"
    safety = "safety"
    other = "other"


REQUIRED_TRAINING = (TrainingTopic.minors_protection_law,)
"""Topics a volunteer must have completed before being paired (the Minors Protection Law first)."""


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


MIN_OPENING_DAYS = 2


# --- commands ---

class RecordTraining(Command):
    session_id: Id | None = None
    topic: TrainingTopic
    held_on: date
    station_id: Id | None = None
    volunteer_ids: list[Id] = Field(min_length=1, max_length=500)


class CertifyVolunteer(Command):
    volunteer_id: Id
    certification: Label
    certified_on: date


class WithdrawVolunteer(Command):
    volunteer_id: Id
    reason: Reason
    withdrawn_on: date | None = Field(default=None, description=(
        "the day the volunteer withdrew, not before she was recruited; default: today. Not in the future"))


class FormTeam(Command):
    team_id: Id | None = None
    region: RegionCode
    name: Label
    formed_on: date | None = Field(default=None, description=(
        "the day the team was formed; default: today. Not in the future"))


class OpenStation(Command):
    station_id: Id | None = None
    region: RegionCode
    name: Label
    opening_days: list[Weekday] = Field(min_length=1, max_length=7)
    opened_on: date | None = Field(default=None, description=(
        "the day the station opened; default: today. Not in the future"))


class CloseStation(Command):
    station_id: Id
    reason: Reason
    closed_on: date | None = Field(default=None, description=(
        "the day the station closed, not before it opened; default: today. Not in the future"))


# --- events ---

class TrainingSessionHeld(Event):
    aggregate_type: ClassVar[str] = "training"
    training_id: str
    region: str
    topic: TrainingTopic
    held_on: date
    station_id: str | None
    volunteer_ids: tuple[str, ...]


class VolunteerTrained(Event):
    aggregate_type: ClassVar[str] = "volunteer"
    volunteer_id: str
    training_id: str
    topic: TrainingTopic
    completed_on: date


class VolunteerCertified(Event):
    aggregate_type: ClassVar[str] = "volunteer"
    volunteer_id: str
    certification: str
    certified_on: date


class VolunteerWithdrew(Event):
    """v2: the day she withdrew (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "volunteer"
    volunteer_id: str
    reason: str
    withdrawn_on: date | None = Field(default=None, description=(
        "the day she withdrew; None: the day the event was recorded"))


class TeamFormed(Event):
    """v2: the day it was formed (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "team"
    team_id: str
    region: str
    level: FederationLevel
    name: str
    formed_on: date | None = Field(default=None, description=(
        "the day the team was formed; None: the day the event was recorded"))


class StationOpened(Event):
    """v2: the day it opened (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "station"
    station_id: str
    region: str
    name: str
    opening_days: tuple[Weekday, ...]
    opened_on: date | None = Field(default=None, description=(
        "the day the station opened; None: the day the event was recorded"))


class StationClosed(Event):
    """v2: the day it closed (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "station"
    station_id: str
    reason: str
    closed_on: date | None = Field(default=None, description=(
        "the day the station closed; None: the day the event was recorded"))


# --- a volunteer's team: her own aggregate's, since she is in one team at a time; the team named
# at her recruitment (VolunteerRecruited.team_id) is her first ---

class JoinTeam(Command):
    volunteer_id: Id
    team_id: Id
    joined_on: date | None = Field(default=None, description="default: today")


class MoveTeam(Command):
    """Leave her team and join another on one day, in one step."""

    volunteer_id: Id
    to_team_id: Id
    moved_on: date | None = Field(default=None, description="default: today")


class LeaveTeam(Command):
    volunteer_id: Id
    left_on: date | None = Field(default=None, description="default: today")
    reason: Reason | None = None


class VolunteerJoinedTeam(Event):
    aggregate_type: ClassVar[str] = "volunteer"
    volunteer_id: str
    team_id: str
    joined_on: date


class VolunteerMovedTeam(Event):
    aggregate_type: ClassVar[str] = "volunteer"
    volunteer_id: str
    from_team_id: str
    to_team_id: str
    moved_on: date


class VolunteerLeftTeam(Event):
    aggregate_type: ClassVar[str] = "volunteer"
    volunteer_id: str
    team_id: str
    left_on: date
    reason: str | None = None
