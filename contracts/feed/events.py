"""The integration events: what outside systems (provincial and city federation systems) learn from
the domain log, in a form that stays the same while the domain's events change.

Each is a frozen model, named by its `kind` (the last token of its subject) and versioned: a field
changed means a new `version` and a new schema file (contracts/feed/schemas/). They carry
pseudonyms, categories, places, age bands, business dates, counts, statuses and modes — never a
name, an ID number, an address, a phone, a birth date, a sex, a subtype, a care tier, a concern's
kind, guardian data, free text, a donor or an operator (docs/feeds.md says why each field is there).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from contracts.intake.registration import ChildCategory, VolunteerType
from contracts.pairing.pairs import PairEndReason, PairMode


def _pseudonym(of: str) -> type[str]:
    return Annotated[str, Field(min_length=1, max_length=64, description=(
        f"{of}'s pseudonym: the same in every message to one outside system, different between systems"))]


ChildRef, VolunteerRef, PairRef = _pseudonym("the child"), _pseudonym("the volunteer"), _pseudonym("the pair")
WishRef, ConcernRef = _pseudonym("the wish"), _pseudonym("the concern")
Place = Annotated[str, Field(pattern=r"^[0-9]{12}$", description="12-digit division code")]
Count = Annotated[int, Field(ge=0)]


class AgeBand(StrEnum):
    """Age in whole years on the message's business date."""

    under_6 = "0-5"
    primary = "6-11"
    lower_secondary = "12-14"
    upper_secondary = "15-17"
    adult = "18+"


_BAND_FLOORS = ((18, AgeBand.adult), (15, AgeBand.upper_secondary), (12, AgeBand.lower_secondary),
                (6, AgeBand.primary))


def age_band(birth_date: date, on: date) -> AgeBand:
    """The band of a child born on `birth_date`, on the day `on` (a birthday counts from its day;
    one born on 29 February turns a year older on 1 March in a common year)."""
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return next((band for floor, band in _BAND_FLOORS if years >= floor), AgeBand.under_6)


class ExitReason(StrEnum):
    """Why a child left the programme; a death is told as `other`: it is no subscriber's figure."""

    aged_out = "aged_out"
    parents_returned = "parents_returned"
    withdrawn = "withdrawn"
    other = "other"


class ContactKind(StrEnum):
    """The kind of an activity; counselling is told as `other`: it would tell of a child's health."""

    phone_call = "phone_call"
    home_visit = "home_visit"
    reading = "reading"
    holiday_activity = "holiday_activity"
    birthday = "birthday"
    study_trip = "study_trip"
    station_activity = "station_activity"
    other = "other"


class ChildArrival(StrEnum):
    registered = "registered"
    transferred_in = "transferred_in"


class Organiser(StrEnum):
    pair = "pair"
    station = "station"
    team = "team"


class IntegrationEvent(BaseModel):
    """Base of every integration event; `date_field` names the field holding its business date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str]
    version: ClassVar[int] = 1
    date_field: ClassVar[str]

    @property
    def occurred_on(self) -> date:
        return getattr(self, self.date_field)


class ChildOnFile(IntegrationEvent):
    """A child's file is kept in this place from now on: registered, or moved in from elsewhere."""

    kind: ClassVar[str] = "child_on_file"
    date_field: ClassVar[str] = "on_file_since"
    child_id: ChildRef
    category: ChildCategory = Field(description="top-level category only (no subtype)")
    age_band: AgeBand = Field(description="age band on `on_file_since`")
    arrival: ChildArrival = Field(description="registered here, or transferred in from another place")
    from_county: Place | None = Field(description="county the file came from (transferred_in only)")
    active_pairs: Count = Field(description="pairs the child is in on arrival")
    on_file_since: date = Field(description="the day the file was opened or moved here")


class ChildMovedOut(IntegrationEvent):
    """A child's file moved to another place: it continues there, under that place's subjects."""

    kind: ClassVar[str] = "child_moved_out"
    date_field: ClassVar[str] = "moved_on"
    child_id: ChildRef
    to_county: Place = Field(description="the county moved to (its code padded to 12 digits)")
    moved_on: date = Field(description="the day the file moved")


class ChildPlaceCompleted(IntegrationEvent):
    """The village of a child on file at her county is now known: messages about her are placed there."""

    kind: ClassVar[str] = "child_place_completed"
    date_field: ClassVar[str] = "completed_on"
    child_id: ChildRef
    from_county: Place = Field(description="the county the file was kept at until now")
    completed_on: date = Field(description="the day the village was recorded")


class ChildExited(IntegrationEvent):
    """A child left the programme; her file is closed."""

    kind: ClassVar[str] = "child_exited"
    date_field: ClassVar[str] = "exited_on"
    child_id: ChildRef
    reason: ExitReason = Field(description="why the child left the programme")
    exited_on: date = Field(description="the day the child left the programme")


class ChildDataErased(IntegrationEvent):
    """Deletion on request: a subscriber deletes what it holds under these pseudonyms."""

    kind: ClassVar[str] = "child_data_erased"
    date_field: ClassVar[str] = "erased_on"
    pseudonyms: tuple[str, ...] = Field(min_length=1, description="the pseudonyms to forget (the child's)")
    erased_on: date = Field(description="the day the personal data was erased")


class PairFormed(IntegrationEvent):
    """Volunteers and children were paired (结对)."""

    kind: ClassVar[str] = "pair_formed"
    date_field: ClassVar[str] = "formed_on"
    pair_id: PairRef
    mode: PairMode = Field(description="one_to_one, one_to_many, many_to_one, collective or family")
    child_ids: tuple[ChildRef, ...] = Field(min_length=1, description="the children paired")
    volunteer_ids: tuple[VolunteerRef, ...] = Field(min_length=1, description="the volunteers paired")
    formed_on: date = Field(description="the day the pair was formed")


class PairEnded(IntegrationEvent):
    """A pair ended; its volunteers and children may be paired again."""

    kind: ClassVar[str] = "pair_ended"
    date_field: ClassVar[str] = "ended_on"
    pair_id: PairRef
    reason: PairEndReason = Field(description="why the pair ended")
    ended_on: date = Field(description="the day the end was recorded")


class ActivityHeld(IntegrationEvent):
    """Care given: a pair's call, visit or activity, or a collective one of a station or a team."""

    kind: ClassVar[str] = "activity_held"
    date_field: ClassVar[str] = "held_on"
    organiser: Organiser = Field(description="who held it: a pair, a station or a volunteer team")
    organiser_id: str = Field(min_length=1, max_length=64, description="the pair's, station's or team's pseudonym")
    activity: ContactKind = Field(description="the kind of contact")
    held_on: date = Field(description="the day it was held")
    duration_minutes: int = Field(ge=1, description="how long it lasted")
    children: Count = Field(description="children on file present")
    volunteers: Count | None = Field(description="volunteers present; null: not recorded")
    guardians: Count | None = Field(description="guardians present; null: not recorded")
    person_times: Count | None = Field(description="everyone present; null: not recorded")


class WishFulfilled(IntegrationEvent):
    """A child's micro-wish was fulfilled (the item and the donor are not told)."""

    kind: ClassVar[str] = "wish_fulfilled"
    date_field: ClassVar[str] = "fulfilled_on"
    wish_id: WishRef
    child_id: ChildRef
    fulfilled_on: date = Field(description="the day the wish was recorded fulfilled")


class ConcernRaised(IntegrationEvent):
    """A concern about a child is open: only that it exists (not its kind, nor what was noticed)."""

    kind: ClassVar[str] = "concern_raised"
    date_field: ClassVar[str] = "raised_on"
    concern_id: ConcernRef
    child_id: ChildRef
    raised_on: date = Field(description="the day the concern was raised")


class ConcernClosed(IntegrationEvent):
    """A concern about a child was closed (how, is not told)."""

    kind: ClassVar[str] = "concern_closed"
    date_field: ClassVar[str] = "closed_on"
    concern_id: ConcernRef
    child_id: ChildRef
    closed_on: date = Field(description="the day the concern was closed")


class VolunteerOnFile(IntegrationEvent):
    """A volunteer (caring mother, father or family) was recruited in this place."""

    kind: ClassVar[str] = "volunteer_on_file"
    date_field: ClassVar[str] = "on_file_since"
    volunteer_id: VolunteerRef
    volunteer_type: VolunteerType = Field(description="neighbour, specialist or bay_area")
    family: bool = Field(description="a caring family rather than one person")
    capacity: int = Field(ge=1, description="children the volunteer can care for")
    on_file_since: date = Field(description="the day the volunteer was recruited")


class VolunteerWithdrew(IntegrationEvent):
    """A volunteer left the programme (the reason, free text, is not told)."""

    kind: ClassVar[str] = "volunteer_withdrew"
    date_field: ClassVar[str] = "withdrew_on"
    volunteer_id: VolunteerRef
    withdrew_on: date = Field(description="the day the withdrawal was recorded")


INTEGRATION_EVENTS: tuple[type[IntegrationEvent], ...] = (
    ChildOnFile, ChildMovedOut, ChildPlaceCompleted, ChildExited, ChildDataErased, PairFormed, PairEnded,
    ActivityHeld, WishFulfilled, ConcernRaised, ConcernClosed, VolunteerOnFile, VolunteerWithdrew)
BY_KIND = {event.kind: event for event in INTEGRATION_EVENTS}
