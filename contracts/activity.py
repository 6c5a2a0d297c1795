"""Activity: the care itself — visits and calls logged for a pair, micro-wishes for a child."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.commands import Command, Id
from contracts.envelope import Event
from contracts.privacy import LegacyPlaintext, Sealed
from contracts.text import Label, Text


class VisitKind(StrEnum):
    phone_call = "phone_call"
    home_visit = "home_visit"
    reading = "reading"
    holiday_activity = "holiday_activity"
    birthday = "birthday"
    study_trip = "study_trip"
    station_activity = "station_activity"
    counselling = "counselling"


class WishCategory(StrEnum):
    study = "study"
    daily_life = "daily_life"
    sports = "sports"
    arts = "arts"
    other = "other"


class LogVisit(Command):
    pair_id: Id
    visit_id: Id | None = None
    kind: VisitKind
    visited_on: date
    duration_minutes: int = Field(ge=1, le=24 * 60)
    note: Text | None = None


class SubmitWish(Command):
    wish_id: Id | None = None
    child_id: Id
    item: Label
    category: WishCategory = WishCategory.other
    estimated_cost_yuan: float = Field(ge=0, le=100_000, allow_inf_nan=False)


class FulfilWish(Command):
    wish_id: Id
    donor: Label | None = Field(default=None, description="donor enterprise or volunteer")


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


class WishSubmitted(Event):
    """v2: the item is sealed {item} with the child's key (v1 stored it in plaintext; read through
    the upcaster, such an item is a `LegacyPlaintext`)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "wish"

    wish_id: str
    child_id: str
    region: str
    item: Sealed | LegacyPlaintext = Field(description="sealed {item}, with the child's key")
    category: WishCategory
    estimated_cost_yuan: float


class WishFulfilled(Event):
    """v2: the pledging donor's id stands apart, in plaintext (an id, the one WishPledged names);
    a donor named in words (FulfilWish.donor) is sealed {donor} with the child's key. v1 had one
    plaintext `donor`, either of the two; read through the upcaster it is a `LegacyPlaintext`."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "wish"

    wish_id: str
    child_id: str
    donor_id: str | None = Field(default=None, description="the pledge's donor, if the wish was pledged")
    donor: Sealed | LegacyPlaintext | None = Field(
        default=None, description="sealed {donor}: who gave it as the operator named them, with the child's key")
