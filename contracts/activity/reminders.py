"""Reminders: raised by the reminder process when care falls behind or a date comes near.

Each reminder is an aggregate of its own, whose id is derived from its cause (the rule, whom it is
about, and the date the rule counts from). A cause can therefore be raised once only: a second
attempt finds the aggregate already written (expected last sequence 0 fails, or the event id is a
duplicate), whichever process instance tries and however late.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.envelope import Event


class ReminderRule(StrEnum):
    contact_overdue = "contact_overdue"  # a pair without contact for longer than its cadence allows
    birthday_coming = "birthday_coming"  # a paired child's birthday within the week
    wish_waiting = "wish_waiting"  # a micro-wish submitted long ago and not yet fulfilled
    red_tier_without_contact = "red_tier_without_contact"  # a red-tier child without contact for 7 days


class ReminderRaised(Event):
    aggregate_type: ClassVar[str] = "reminder"

    reminder_id: str = Field(description="derived from the cause: rule, subject, reference date")
    rule: ReminderRule
    region: str = Field(description="the region of the pair, child or wish it is about")
    pair_id: str | None
    child_id: str | None
    wish_id: str | None
    reference_date: date = Field(description="what the rule counts from: the last contact (or the "
                                 "pairing, the red assessment), the birthday, the wish's submission")
    due_on: date
