"""Intake: children and volunteers enter the programme."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from contracts.commands import Command, Id
from contracts.envelope import Event
from contracts.privacy import Sealed


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
    name: str = Field(min_length=1, max_length=50)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9-]{5,20}$")


class RegisterChild(Command):
    child_id: Id | None = None
    region: str = Field(description="community/village code (12 digits) where the child lives")
    name: str = Field(min_length=1, max_length=50)
    sex: Sex
    birth_date: date
    category: ChildCategory
    subtype: ChildSubtype | None = None
    id_number: str | None = Field(default=None, pattern=r"^[0-9]{17}[0-9Xx]$")
    address: str | None = Field(default=None, max_length=200)
    school: str | None = Field(default=None, max_length=100)
    grade: int | None = Field(default=None, ge=0, le=12, description="0 before school, 1-12 school years")
    guardian: Guardian | None = None


class RecruitVolunteer(Command):
    volunteer_id: Id | None = None
    region: str
    name: str = Field(min_length=1, max_length=50)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9-]{5,20}$")
    sex: Sex
    kind: VolunteerKind
    volunteer_type: VolunteerType = VolunteerType.neighbour
    specialties: list[str] = Field(default_factory=list, max_length=20)
    capacity: int = Field(default=1, ge=1, le=20, description="children this volunteer can care for")
    team_id: Id | None = None


# --- events ---

class ChildRegistered(Event):
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


class VolunteerRecruited(Event):
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
