"""Intake: children and volunteers enter the programme."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from contracts.commands import Command, Id
from contracts.envelope import Event
from contracts.privacy import Sealed
from contracts.text import Address, Label, Name, RegionCode, Specialties


class Sex(StrEnum):
    female = "female"
    male = "male"


class ChildCategory(StrEnum):
    left_behind = "left_behind"
    in_difficulty = "in_difficulty"


class ChildSubtype(StrEnum):
    both_parents_away = "both_parents_away"
    one_parent_away = "one_parent_away"
    orphaned = "orphaned"
    unsupported = "unsupported"
    disabled = "disabled"
    seriously_ill = "seriously_ill"
    low_income = "low_income"
    parent_imprisoned = "parent_imprisoned"
    single_parent = "single_parent"
    other = "other"


class VolunteerKind(StrEnum):
    mother = "mother"
    father = "father"
    family = "family"


class VolunteerType(StrEnum):
    neighbour = "neighbour"
    specialist = "specialist"
    bay_area = "bay_area"


class GuardianRelation(StrEnum):
    grandparent = "grandparent"
    parent = "parent"
    relative = "relative"
    other = "other"


# --- commands (plaintext personal data travels only inside the command, never into the log) ---

class Guardian(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    relation: GuardianRelation
    name: Name
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9-]{5,20}$")


class RegisterChild(Command):
    child_id: Id | None = None
    region: RegionCode = Field(description="community/village code (12 digits) where the child lives, "
                                                "or her district/county code (6 digits) while the village is not known")
    name: Name
    sex: Sex
    birth_date: date
    category: ChildCategory
    subtype: ChildSubtype | None = None
    id_number: str | None = Field(default=None, pattern=r"^[0-9]{17}[0-9Xx]$")
    address: Address | None = None
    school: Label | None = None
    grade: int | None = Field(default=None, ge=0, le=12, description="0 before school, 1-12 school years")
    guardian: Guardian | None = None
    registered_on: date | None = Field(default=None, description=(
        "the day the child was registered in the world (a list entered later); default: today. "
        "Not in the future, nor before she was born"))


class RecruitVolunteer(Command):
    volunteer_id: Id | None = None
    region: RegionCode
    name: Name
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9-]{5,20}$")
    sex: Sex
    kind: VolunteerKind
    volunteer_type: VolunteerType = VolunteerType.neighbour
    specialties: Specialties = Field(default_factory=list)
    capacity: int = Field(default=1, ge=1, le=20, description="children this volunteer can care for")
    team_id: Id | None = None
    staff: bool = Field(default=False, description="a member of the women's federation's own staff")
    recruited_on: date | None = Field(default=None, description=(
        "the day the volunteer was recruited in the world; default: today. Not in the future"))


# --- events ---

class ChildRegistered(Event):
    """v2: the day she was registered (`registered_on`). Read through the upcaster, a v1 event was
    registered on the day it was recorded."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "child"

    child_id: str
    region: str
    sex: Sex
    birth_date: date
    category: ChildCategory
    subtype: ChildSubtype | None
    grade: int | None = None
    personal: Sealed = Field(description="sealed {name, id_number, address, school}")
    guardian_relation: GuardianRelation | None
    guardian: Sealed | None = Field(description="sealed {name, phone}, with the guardian's own key")
    registered_on: date | None = Field(default=None, description=(
        "the day she was registered in the world; None: the day the event was recorded"))


class VolunteerRecruited(Event):
    """v2: the day she was recruited, and whether she is federation staff. Read through the
    upcaster, a v1 volunteer was recruited on the day the event was recorded and is not staff."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "volunteer"

    volunteer_id: str
    region: str
    sex: Sex
    kind: VolunteerKind
    volunteer_type: VolunteerType
    specialties: tuple[str, ...]
    capacity: int
    team_id: str | None = None
    personal: Sealed = Field(description="sealed {name, phone}")
    staff: bool = Field(default=False, description="a member of the women's federation's own staff")
    recruited_on: date | None = Field(default=None, description=(
        "the day she was recruited in the world; None: the day the event was recorded"))
