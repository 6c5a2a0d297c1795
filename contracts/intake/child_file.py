"""The child's file (一人一档): needs surveys, guardian consent, transfer and exit.

Every change is an event, so the file's whole history is kept: "current needs" is the latest
survey. Her care tier is activity's (contracts.concerns). Free text that may describe a family (notes,
reasons, the consenting guardian's name) is sealed with the child's or guardian's key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.commands import Command, Id
from contracts.envelope import Event
from contracts.intake.registration import ChildCategory, ChildSubtype, GuardianRelation, Sex
from contracts.privacy import Sealed
from contracts.text import Name, RegionCode, Text


class NeedKind(StrEnum):
    family_affection = "family_affection"
    psychological_counselling = "psychological_counselling"
    calls_and_visits = "calls_and_visits"
    reading_and_study_trips = "reading_and_study_trips"
    festivals_and_birthdays = "festivals_and_birthdays"
    micro_wishes = "micro_wishes"
    other = "other"


class ConsentScope(StrEnum):
    pairing = "pairing"
    data_sharing = "data_sharing"  # sharing the child's data with the paired volunteer
    photos = "photos"


class ErasureRequester(StrEnum):
    guardian = "guardian"
    child = "child"  # an adult former child asking for their own data
    federation = "federation"  # retention rules


class ExitReason(StrEnum):
    aged_out = "aged_out"
    parents_returned = "parents_returned"
    withdrawn = "withdrawn"
    deceased = "deceased"
    other = "other"


# --- commands ---

class SurveyNeeds(Command):
    child_id: Id
    needs: list[NeedKind] = Field(min_length=1, max_length=len(NeedKind))
    notes: Text | None = None
    surveyed_on: date


class RecordConsent(Command):
    child_id: Id
    relation: GuardianRelation
    given_by: Name = Field(description="the guardian's name")
    scopes: list[ConsentScope] = Field(min_length=1, max_length=len(ConsentScope))
    given_on: date


class WithdrawConsent(Command):
    child_id: Id
    scopes: list[ConsentScope] = Field(min_length=1, max_length=len(ConsentScope))
    withdrawn_on: date


class TransferChild(Command):
    child_id: Id
    to_region: RegionCode = Field(description="community/village code the child moves to")
    transferred_on: date | None = Field(default=None, description=(
        "the day the child moved; default: today. Not in the future, nor before she was registered"))


class CompleteChildPlace(Command):
    """The village of a child registered at her county (her list named none): within that county."""

    child_id: Id
    region: RegionCode = Field(description="community/village code (12 digits) within the child's county")


class ExitChild(Command):
    child_id: Id
    reason: ExitReason
    exited_on: date


class EraseChildData(Command):
    """Deletion on request (of the guardian, or by law): the child's and guardian's keys are
    destroyed, so their sealed particulars can no longer be read in the log, any replay or any
    read model. The file's non-personal facts and figures stay."""

    child_id: Id
    requested_by: ErasureRequester


# --- events ---

class ChildNeedsSurveyed(Event):
    aggregate_type: ClassVar[str] = "child"
    child_id: str
    needs: tuple[NeedKind, ...]
    notes: Sealed | None
    surveyed_on: date


class GuardianConsentGiven(Event):
    aggregate_type: ClassVar[str] = "child"
    child_id: str
    relation: GuardianRelation
    given_by: Sealed = Field(description="sealed {name}, with the guardian's key")
    scopes: tuple[ConsentScope, ...]
    given_on: date


class GuardianConsentWithdrawn(Event):
    aggregate_type: ClassVar[str] = "child"
    child_id: str
    scopes: tuple[ConsentScope, ...]
    withdrawn_on: date


class ChildTransferredOut(Event):
    """Stored under the region the child leaves: its subscribers learn that the file moved on.
    v2: the day she moved (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "child"
    child_id: str
    from_region: str
    to_region: str
    transferred_on: date | None = Field(default=None, description=(
        "the day she moved; None: the day the event was recorded"))


class ChildTransferredIn(Event):
    """Stored under the region the child joins, with the file's standing facts, so that region's
    subscribers know the child without reading another region's events. v2: the day she moved
    and the day her file was first registered (v1, read through the upcaster: the day it was
    recorded, for both)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "child"
    child_id: str
    region: str
    from_region: str
    sex: Sex
    birth_date: date
    category: ChildCategory
    subtype: ChildSubtype | None
    grade: int | None
    personal: Sealed
    guardian_relation: GuardianRelation | None
    guardian: Sealed | None
    active_pair_ids: tuple[str, ...]
    transferred_on: date | None = Field(default=None, description=(
        "the day she moved; None: the day the event was recorded"))
    registered_on: date | None = Field(default=None, description=(
        "the day her file was registered, in the region she left; None: unknown"))


class ChildPlaceCompleted(Event):
    """Stored under the village now known for a child registered at her county (from_region), within
    that county: her file continues there, and her county's and its readers' subtree holds both."""

    aggregate_type: ClassVar[str] = "child"
    child_id: str
    region: str
    from_region: str


class ChildExited(Event):
    aggregate_type: ClassVar[str] = "child"
    child_id: str
    reason: ExitReason
    exited_on: date


class ChildPersonalDataErased(Event):
    """The keys sealing the child's and guardian's particulars were destroyed after this event."""

    aggregate_type: ClassVar[str] = "child"
    child_id: str
    requested_by: ErasureRequester
