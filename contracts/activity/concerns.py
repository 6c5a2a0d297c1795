"""Concerns about a child (个案服务, 跟踪随访): raised by a volunteer, referred to professionals, followed up
until closed.

A concern is an aggregate of its own, owned by the child's region. What is written about the child
(notes, the professional's name) is sealed with the child's key. A step may also move the child to
another care tier: then a ChildRiskAssessed is stored in the same atomic batch.

The child's care tier is activity's (it sets the care cadence, the reminders and the concerns'
urgency): its own aggregate of the child's id (`child_care`), in her region, apart from her file
(intake's). Version 1 of ChildRiskAssessed was written on the child's file (`FORMER_AGGREGATES`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.commands import Command, Id
from contracts.envelope import Event
from contracts.privacy import Sealed
from contracts.text import Label, NoteText, ShortText, Text

RiskReason = ShortText(500, min_length=1)
"""Why a child is in a tier: free text, sealed with the child's key."""


class RiskTier(StrEnum):
    red = "red"  # most urgent
    orange = "orange"
    yellow = "yellow"
    blue = "blue"


class ConcernKind(StrEnum):
    depression_signs = "depression_signs"
    safety = "safety"
    schooling = "schooling"
    other = "other"


class ProfessionalKind(StrEnum):
    psychological_counsellor = "psychological_counsellor"
    family_education_guide = "family_education_guide"  # 家庭教育指导师
    legal_aid = "legal_aid"


class ConcernOutcome(StrEnum):
    resolved = "resolved"
    unfounded = "unfounded"
    handed_over = "handed_over"  # to civil affairs, the police or a school, outside the programme
    child_exited = "child_exited"


# --- commands (tier: also move the child to this care tier) ---

class AssessRisk(Command):
    child_id: Id
    tier: RiskTier
    reason: RiskReason
    assessed_on: date | None = Field(default=None, description=(
        "the day she was assessed; default: today. Not in the future, nor before she was on file"))


class RaiseConcern(Command):
    concern_id: Id | None = None
    child_id: Id
    kind: ConcernKind
    raised_by: Id | None = Field(default=None, description="the volunteer who noticed it")
    raised_on: date
    note: NoteText
    tier: RiskTier | None = None


class ReferConcern(Command):
    concern_id: Id
    professional: ProfessionalKind
    professional_name: Label | None = None
    referred_on: date
    note: Text | None = None
    tier: RiskTier | None = None


class FollowUpConcern(Command):
    concern_id: Id
    followed_up_on: date
    note: NoteText
    tier: RiskTier | None = None


class CloseConcern(Command):
    concern_id: Id
    outcome: ConcernOutcome
    closed_on: date
    note: Text | None = None
    tier: RiskTier | None = None


# --- events ---

class ChildRiskAssessed(Event):
    """v2: on activity's own aggregate of the child's care tier, in her region (v1: on the child).
    v3: the day she was assessed (v2, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 3
    aggregate_type: ClassVar[str] = "child_care"
    keyed_by: ClassVar[str] = "child"

    child_id: str
    region: str = Field(description="the child's region when assessed")
    tier: RiskTier
    previous_tier: RiskTier | None
    reason: Sealed
    assessed_on: date | None = Field(default=None, description=(
        "the day she was assessed (a concern's step that set the tier: its day); None: the day the event "
        "was recorded"))


class ConcernRaised(Event):
    aggregate_type: ClassVar[str] = "concern"
    concern_id: str
    child_id: str
    region: str
    kind: ConcernKind
    raised_by: str | None
    raised_on: date
    note: Sealed = Field(description="sealed {note}, with the child's key")


class ConcernReferred(Event):
    aggregate_type: ClassVar[str] = "concern"
    concern_id: str
    child_id: str
    professional: ProfessionalKind
    referred_on: date
    details: Sealed | None = Field(description="sealed {professional_name, note}, with the child's key")


class ConcernFollowedUp(Event):
    aggregate_type: ClassVar[str] = "concern"
    concern_id: str
    child_id: str
    followed_up_on: date
    note: Sealed


class ConcernClosed(Event):
    aggregate_type: ClassVar[str] = "concern"
    concern_id: str
    child_id: str
    outcome: ConcernOutcome
    closed_on: date
    note: Sealed | None


# The aggregate each event of the child's care was written on in version 1, before activity owned it.
FORMER_AGGREGATES = {"child_care": "child"}
