"""From one stored domain event to the integration messages it makes (`contracts.feed`): pure, no I/O.

The routing is one explicit table, by event class; an event not in it makes no message. Each
translation uses only what its one domain event and envelope carry, so translating the log again
gives the same messages with the same ids. Ids become pseudonyms through the caller's
`pseudonym(aggregate_type, aggregate_id)`, one per outside system (`pseudonymiser`): two systems
cannot join their feeds on an id, and the log's own ids never leave.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from contracts.activity import care, concerns, wishes
from contracts.business_days import day_of_event
from contracts.intake import child_file, volunteers
from contracts.intake import registration as intake
from contracts.pairing import pairs as pairing
from contracts.envelope import Envelope, Event
from contracts.feed import events as feed
from contracts.feed.envelope import FeedMessage
from contracts.registry import EVENT_TYPES

if TYPE_CHECKING:  # only its shape is read: importing the event log would bring NATS in
    from services.shared.eventlog.records import StoredEvent

Pseudonym = Callable[[str, str], str]
Told = list[feed.IntegrationEvent]
Kind = TypeVar("Kind", bound=StrEnum)
Translation = Callable[[Event, Envelope, Pseudonym], Told]

PREFIXES = MappingProxyType({"child": "c", "volunteer": "v", "pair": "p", "concern": "k", "wish": "w",
                             "station": "s", "team": "t"})


def pseudonymiser(key: bytes) -> Pseudonym:
    """One outside system's pseudonyms: HMAC-SHA256 of 'type:id' under its key, 24 hex digits after
    a letter for the type ('c-' a child, 'v-' a volunteer, 'p-' a pair...)."""
    if not key:
        raise ValueError("a pseudonym key must not be empty")

    def pseudonym(aggregate_type: str, aggregate_id: str) -> str:
        digest = hmac.new(key, f"{aggregate_type}:{aggregate_id}".encode(), hashlib.sha256).hexdigest()
        return f"{PREFIXES.get(aggregate_type, 'x')}-{digest[:24]}"
    return pseudonym


def translate(stored: StoredEvent, pseudonym: Pseudonym) -> list[FeedMessage]:
    """The messages one stored domain event makes, in order (none for an event the feed leaves out)."""
    translation = TRANSLATIONS.get(EVENT_TYPES.get(stored.envelope.event_type))
    if translation is None:
        return []
    envelope = stored.envelope
    return [FeedMessage.of(event, origin_event_id=envelope.event_id, origin_seq=stored.seq,
                           region=envelope.region, index=index)
            for index, event in enumerate(translation(stored.event, envelope, pseudonym))]


def county(region: str) -> str:
    """A place made no finer than its county (12 digits, zero-padded)."""
    return region[:6].ljust(12, "0")


def _day(event: Event, envelope: Envelope) -> date:
    """The day the event's fact happened (its business day), else the day it was recorded."""
    return day_of_event(event, envelope.occurred_at.date())


def _child_registered(event: intake.ChildRegistered, envelope: Envelope, p: Pseudonym) -> Told:
    on = _day(event, envelope)
    return [feed.ChildOnFile(child_id=p("child", event.child_id), category=event.category,
                             age_band=feed.age_band(event.birth_date, on), arrival=feed.ChildArrival.registered,
                             from_county=None, active_pairs=0, on_file_since=on)]


def _child_transferred_in(event: child_file.ChildTransferredIn, envelope: Envelope, p: Pseudonym) -> Told:
    on = _day(event, envelope)
    return [feed.ChildOnFile(child_id=p("child", event.child_id), category=event.category,
                             age_band=feed.age_band(event.birth_date, on), arrival=feed.ChildArrival.transferred_in,
                             from_county=county(event.from_region), active_pairs=len(event.active_pair_ids),
                             on_file_since=on)]


def _child_transferred_out(event: child_file.ChildTransferredOut, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.ChildMovedOut(child_id=p("child", event.child_id), to_county=county(event.to_region),
                               moved_on=_day(event, envelope))]


def _child_place_completed(event: child_file.ChildPlaceCompleted, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.ChildPlaceCompleted(child_id=p("child", event.child_id), from_county=county(event.from_region),
                                     completed_on=_day(event, envelope))]


def _child_exited(event: child_file.ChildExited, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.ChildExited(child_id=p("child", event.child_id), reason=_told_as(feed.ExitReason, event.reason),
                             exited_on=event.exited_on)]


def _child_data_erased(event: child_file.ChildPersonalDataErased, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.ChildDataErased(pseudonyms=(p("child", event.child_id),), erased_on=_day(event, envelope))]


def _pair_formed(event: pairing.PairFormed, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.PairFormed(pair_id=p("pair", event.pair_id), mode=event.mode,
                            child_ids=tuple(p("child", c) for c in event.child_ids),
                            volunteer_ids=tuple(p("volunteer", v) for v in event.volunteer_ids),
                            formed_on=_day(event, envelope))]


def _pair_ended(event: pairing.PairEnded, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.PairEnded(pair_id=p("pair", event.pair_id), reason=event.reason, ended_on=_day(event, envelope))]


def _told_as(told: type[Kind], value: StrEnum) -> Kind:
    """The feed's value of the same name, or `other` for what the feed does not tell (a death, counselling)."""
    return next((member for member in told if member.value == value.value), told("other"))


def _visit_logged(event: care.VisitLogged, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.ActivityHeld(organiser=feed.Organiser.pair, organiser_id=p("pair", event.pair_id),
                              activity=_told_as(feed.ContactKind, event.kind), held_on=event.visited_on,
                              duration_minutes=event.duration_minutes, children=len(event.child_ids),
                              volunteers=None, guardians=None, person_times=None)]


def _activity(organiser: feed.Organiser) -> Translation:
    def translation(event: care.ActivityLogged | care.StationActivityLogged | care.TeamActivityLogged,
                    envelope: Envelope, p: Pseudonym) -> Told:
        # The pseudonym of the pair, station or team that held it, as elsewhere in the feed.
        return [feed.ActivityHeld(organiser=organiser, organiser_id=p(event.keyed_by, event.aggregate_id),
                                  activity=_told_as(feed.ContactKind, event.kind), held_on=event.held_on,
                                  duration_minutes=event.duration_minutes, children=len(event.child_ids),
                                  volunteers=len(event.volunteer_ids), guardians=event.guardians_present,
                                  person_times=event.person_times)]
    return translation


def _wish_fulfilled(event: wishes.WishFulfilled, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.WishFulfilled(wish_id=p("wish", event.wish_id), child_id=p("child", event.child_id),
                               fulfilled_on=_day(event, envelope))]


def _concern_raised(event: concerns.ConcernRaised, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.ConcernRaised(concern_id=p("concern", event.concern_id), child_id=p("child", event.child_id),
                               raised_on=event.raised_on)]


def _concern_closed(event: concerns.ConcernClosed, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.ConcernClosed(concern_id=p("concern", event.concern_id), child_id=p("child", event.child_id),
                               closed_on=event.closed_on)]


def _volunteer_recruited(event: intake.VolunteerRecruited, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.VolunteerOnFile(volunteer_id=p("volunteer", event.volunteer_id),
                                 volunteer_type=event.volunteer_type, family=event.kind is intake.VolunteerKind.family,
                                 capacity=event.capacity, on_file_since=_day(event, envelope))]


def _volunteer_withdrew(event: volunteers.VolunteerWithdrew, envelope: Envelope, p: Pseudonym) -> Told:
    return [feed.VolunteerWithdrew(volunteer_id=p("volunteer", event.volunteer_id), withdrew_on=_day(event, envelope))]


TRANSLATIONS: Mapping[type[Event], Translation] = MappingProxyType({
    intake.ChildRegistered: _child_registered,
    child_file.ChildTransferredIn: _child_transferred_in,
    child_file.ChildTransferredOut: _child_transferred_out,
    child_file.ChildPlaceCompleted: _child_place_completed,
    child_file.ChildExited: _child_exited,
    child_file.ChildPersonalDataErased: _child_data_erased,
    pairing.PairFormed: _pair_formed,
    pairing.PairEnded: _pair_ended,
    care.VisitLogged: _visit_logged,
    care.ActivityLogged: _activity(feed.Organiser.pair),
    care.StationActivityLogged: _activity(feed.Organiser.station),
    care.TeamActivityLogged: _activity(feed.Organiser.team),
    wishes.WishFulfilled: _wish_fulfilled,
    concerns.ConcernRaised: _concern_raised,
    concerns.ConcernClosed: _concern_closed,
    intake.VolunteerRecruited: _volunteer_recruited,
    volunteers.VolunteerWithdrew: _volunteer_withdrew,
})
"""Every domain event the feed tells of, and how; the rest make no message."""
