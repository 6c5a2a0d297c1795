"""Which reminders are due on a day, pure: the rules, and the cause that names each reminder.

A reminder's id is a digest of its cause — the rule, whom it is about, and the date the rule counts
from — so the same situation always yields the same id, on any instance, after any restart. A new
situation (a contact made, then overdue again; next year's birthday) has a new reference date and
so is a new cause.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from contracts.activity.reminders import ReminderRaised, ReminderRule
from services.activity.care.cadence import profile_for
from services.activity.care.periods import birthday_in

RED_TIER_DAYS = 7  # a red-tier child is to be contacted at least every week
BIRTHDAY_NOTICE_DAYS = 7
WISH_WAIT_DAYS = 30  # a micro-wish waiting longer than a month needs a donor found


@dataclass(frozen=True)
class PairWatch:
    """An active pair: since when it exists, and its last contact with the family."""

    pair_id: str
    region: str
    formed_on: date
    last_contact: date | None


@dataclass(frozen=True)
class ChildWatch:
    """A child on file who has not left the programme."""

    child_id: str
    region: str
    birth_date: date
    paired: bool
    red_since: date | None  # None: not in the red tier
    last_contact: date | None


@dataclass(frozen=True)
class WishWatch:
    """A micro-wish submitted and not fulfilled."""

    wish_id: str
    child_id: str
    region: str
    submitted_on: date


def cause_id(rule: ReminderRule, subject: str, reference: date) -> str:
    return hashlib.sha256(f"{rule.value}|{subject}|{reference.isoformat()}".encode()).hexdigest()[:32]


def due_reminders(today: date, pairs: list[PairWatch], children: list[ChildWatch],
                  wishes: list[WishWatch]) -> list[ReminderRaised]:
    found = [contact_overdue(p, today) for p in pairs]
    found += [rule(c, today) for c in children for rule in (birthday_coming, red_tier_without_contact)]
    found += [wish_waiting(w, today) for w in wishes]
    return [r for r in found if r is not None]


def contact_overdue(pair: PairWatch, today: date) -> ReminderRaised | None:
    since = max(pair.formed_on, pair.last_contact or pair.formed_on)
    due = since + timedelta(days=profile_for(pair.region).contact_overdue_days)
    return _raised(ReminderRule.contact_overdue, pair.pair_id, since, due, today,
                   region=pair.region, pair_id=pair.pair_id)


def birthday_coming(child: ChildWatch, today: date) -> ReminderRaised | None:
    if not child.paired:
        return None  # the reminder is for the child's caring mother
    birthday = _next_birthday(child.birth_date, today)
    due = birthday - timedelta(days=BIRTHDAY_NOTICE_DAYS)
    return _raised(ReminderRule.birthday_coming, child.child_id, birthday, due, today,
                   region=child.region, child_id=child.child_id)


def red_tier_without_contact(child: ChildWatch, today: date) -> ReminderRaised | None:
    if child.red_since is None:
        return None
    since = max(child.red_since, child.last_contact or child.red_since)
    due = since + timedelta(days=RED_TIER_DAYS)
    return _raised(ReminderRule.red_tier_without_contact, child.child_id, since, due, today,
                   region=child.region, child_id=child.child_id)


def wish_waiting(wish: WishWatch, today: date) -> ReminderRaised | None:
    due = wish.submitted_on + timedelta(days=WISH_WAIT_DAYS)
    return _raised(ReminderRule.wish_waiting, wish.wish_id, wish.submitted_on, due, today,
                   region=wish.region, child_id=wish.child_id, wish_id=wish.wish_id)


def _raised(rule: ReminderRule, subject: str, reference: date, due: date, today: date,
            **about) -> ReminderRaised | None:
    if today < due:
        return None
    return ReminderRaised(reminder_id=cause_id(rule, subject, reference), rule=rule,
                          reference_date=reference, due_on=due,
                          **{"pair_id": None, "child_id": None, "wish_id": None, **about})


def _next_birthday(birth: date, today: date) -> date:
    """The child's next birthday on or after today."""
    day = birthday_in(birth, today.year)
    return day if day >= today else birthday_in(birth, today.year + 1)
