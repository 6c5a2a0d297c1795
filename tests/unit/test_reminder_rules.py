"""Reminder rules, pure: when each fires, and that one cause always has one id."""

from __future__ import annotations

from datetime import date

from contracts.activity.reminders import ReminderRule
from services.activity.reminders.rules import (ChildWatch, PairWatch, WishWatch, birthday_coming,
                                              cause_id, contact_overdue, due_reminders,
                                              red_tier_without_contact, wish_waiting)

GUANGZHOU = "440105001101"  # the default profile: Haimen's monthly call, overdue after 31 days
HARBIN = "230102001001"  # Heilongjiang: weekly contact, overdue after 7 days


def child(**fields) -> ChildWatch:
    return ChildWatch(**{"child_id": "c1", "region": GUANGZHOU, "birth_date": date(2016, 5, 20),
                         "paired": True, "red_since": None, "last_contact": None, **fields})


def test_contact_is_overdue_after_the_profiles_patience() -> None:
    pair = PairWatch("p1", GUANGZHOU, formed_on=date(2026, 3, 1), last_contact=date(2026, 4, 1))
    assert contact_overdue(pair, date(2026, 5, 1)) is None
    reminder = contact_overdue(pair, date(2026, 5, 2))
    assert (reminder.rule, reminder.pair_id, reminder.reference_date, reminder.due_on) == (
        ReminderRule.contact_overdue, "p1", date(2026, 4, 1), date(2026, 5, 2))
    assert reminder.region == GUANGZHOU and reminder.child_id is None
    weekly = PairWatch("p2", HARBIN, formed_on=date(2026, 3, 1), last_contact=date(2026, 4, 1))
    assert contact_overdue(weekly, date(2026, 4, 8)).due_on == date(2026, 4, 8)


def test_the_same_cause_has_the_same_id_and_a_new_contact_makes_a_new_cause() -> None:
    pair = PairWatch("p1", GUANGZHOU, formed_on=date(2026, 3, 1), last_contact=None)
    first, again = contact_overdue(pair, date(2026, 4, 5)), contact_overdue(pair, date(2026, 4, 20))
    assert first.reminder_id == again.reminder_id == cause_id(ReminderRule.contact_overdue, "p1", date(2026, 3, 1))
    later = contact_overdue(PairWatch("p1", GUANGZHOU, date(2026, 3, 1), date(2026, 4, 10)), date(2026, 5, 20))
    assert later.reminder_id != first.reminder_id
    assert len(first.reminder_id) == 32 and first.reminder_id.isalnum()


def test_a_birthday_is_announced_a_week_ahead_for_paired_children_only() -> None:
    assert birthday_coming(child(), date(2026, 5, 12)) is None
    reminder = birthday_coming(child(), date(2026, 5, 13))
    assert (reminder.reference_date, reminder.due_on) == (date(2026, 5, 20), date(2026, 5, 13))
    assert birthday_coming(child(), date(2026, 5, 20)) is not None
    assert birthday_coming(child(), date(2026, 5, 21)) is None  # the next one is in 2027
    assert birthday_coming(child(paired=False), date(2026, 5, 15)) is None
    new_year = birthday_coming(child(birth_date=date(2015, 1, 2)), date(2026, 12, 29))
    assert new_year.reference_date == date(2027, 1, 2)


def test_a_red_tier_child_without_contact_for_seven_days() -> None:
    red = child(red_since=date(2026, 5, 1), last_contact=date(2026, 5, 4))
    assert red_tier_without_contact(red, date(2026, 5, 10)) is None
    reminder = red_tier_without_contact(red, date(2026, 5, 11))
    assert (reminder.reference_date, reminder.child_id) == (date(2026, 5, 4), "c1")
    assert red_tier_without_contact(child(last_contact=date(2026, 1, 1)), date(2026, 5, 11)) is None


def test_a_wish_waiting_a_month() -> None:
    wish = WishWatch("w1", "c1", GUANGZHOU, submitted_on=date(2026, 4, 1))
    assert wish_waiting(wish, date(2026, 4, 30)) is None
    reminder = wish_waiting(wish, date(2026, 5, 1))
    assert (reminder.wish_id, reminder.child_id, reminder.rule) == ("w1", "c1", ReminderRule.wish_waiting)


def test_due_reminders_gathers_every_rule() -> None:
    due = due_reminders(date(2026, 5, 15),
                        [PairWatch("p1", GUANGZHOU, date(2026, 3, 1), None)],
                        [child(red_since=date(2026, 5, 1))],
                        [WishWatch("w1", "c1", GUANGZHOU, date(2026, 4, 1))])
    assert sorted(r.rule.value for r in due) == [
        "birthday_coming", "contact_overdue", "red_tier_without_contact", "wish_waiting"]
