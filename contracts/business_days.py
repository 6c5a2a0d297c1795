"""The business day of an event: the day the thing happened in the world, as the event itself says
(`registered_on`, `formed_on`, `received_on`, …), apart from the time it was recorded (the
envelope's `occurred_at`). Figures, as-of, series and reminders count by it; an event without one
(or with None: stored before it had one, or without a day given) happened the day it was recorded."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from contracts.envelope import Event

BUSINESS_DAY_FIELDS = MappingProxyType({
    "ChildRegistered": "registered_on", "ChildTransferredOut": "transferred_on",
    "ChildTransferredIn": "transferred_on", "ChildExited": "exited_on", "ChildNeedsSurveyed": "surveyed_on",
    "GuardianConsentGiven": "given_on", "GuardianConsentWithdrawn": "withdrawn_on",
    "VolunteerRecruited": "recruited_on", "VolunteerWithdrew": "withdrawn_on",
    "VolunteerTrained": "completed_on", "VolunteerCertified": "certified_on", "TrainingSessionHeld": "held_on",
    "TeamFormed": "formed_on", "StationOpened": "opened_on", "StationClosed": "closed_on",
    "PairProposed": "proposed_on", "PairApproved": "approved_on", "PairFormed": "formed_on",
    "PairEnded": "ended_on",
    "VisitLogged": "visited_on", "ActivityLogged": "held_on", "StationActivityLogged": "held_on",
    "TeamActivityLogged": "held_on",
    "ChildRiskAssessed": "assessed_on", "ConcernRaised": "raised_on", "ConcernFollowedUp": "followed_up_on", "ConcernReferred": "referred_on",
    "ConcernClosed": "closed_on",
    "DonorRegistered": "registered_on", "FundOpened": "opened_on", "DonationReceived": "received_on",
    "FundAllocated": "allocated_on", "FundAllocationReleased": "released_on", "GiftPackDelivered": "delivered_on",
    "WishSubmitted": "submitted_on", "WishApproved": "approved_on", "WishPledged": "pledged_on",
    "WishFulfilled": "fulfilled_on", "WishCancelled": "cancelled_on",
})
"""The field that holds each event type's business day."""


def business_day(event: Event) -> date | None:
    """The day the event's fact happened, where the event says; else None."""
    field = BUSINESS_DAY_FIELDS.get(type(event).__name__)
    return getattr(event, field, None) if field else None


def day_of_event(event: Event, recorded: date) -> date:
    """The event's business day, else the day it was recorded."""
    return business_day(event) or recorded
