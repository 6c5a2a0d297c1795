"""Ledger rules, pure, for reminders: a `ReminderRaised` opens one on its due day, and it stays open
until what it is about is resolved — a later contact with the pair or the child, a red-tier child
assessed otherwise or gone, a wish fulfilled or cancelled, a pair ended; a birthday reminder closes
the day after the birthday. It never closes before its due day, so no day has fewer than none."""

from __future__ import annotations

from datetime import date, timedelta

from contracts.activity.reminders import ReminderRaised, ReminderRule
from services.projections.figures.state import Batch, Fact

SUBJECT = {ReminderRule.contact_overdue: "pair_id", ReminderRule.birthday_coming: "child_id",
           ReminderRule.red_tier_without_contact: "child_id", ReminderRule.wish_waiting: "wish_id"}


def raised(b: Batch, f: Fact) -> None:
    e: ReminderRaised = f.event
    if b.reminders.get(e.reminder_id) is not None:
        return
    region, rule = e.region, e.rule.value
    row = b.reminders.put(e.reminder_id, {
        "reminder_id": e.reminder_id, "rule": rule, "region": region, "subject_id": getattr(e, SUBJECT[e.rule]),
        "reference_date": e.reference_date, "due_on": e.due_on, "closed_on": None})
    b.count(region, e.due_on, "reminders_raised", f"reminders_raised_{rule}", "reminders_open",
            f"reminders_open_{rule}")
    resolved = _resolved(b, e)
    if resolved is not None:
        _close(b, row, resolved)


def _resolved(b: Batch, e: ReminderRaised) -> date | None:
    """The day the cause was already resolved when the reminder was raised (the log may hold the
    resolution first), or None."""
    if e.rule is ReminderRule.birthday_coming:
        return e.reference_date + timedelta(days=1)
    if e.rule is ReminderRule.wish_waiting:
        wish = b.closed_wishes.get(e.wish_id)
        return wish["closed_on"] if wish else None
    if e.rule is ReminderRule.contact_overdue:
        about = b.pairs.get(e.pair_id)
        gone = about and about["ended_on"]  # the pair ended
    else:
        about = b.children.get(e.child_id)
        gone = about and (about["exited"] or about["tier"] != "red") and about["changed_on"]
    if about is None:
        return None
    if about["last_contact"] is not None and about["last_contact"] > e.reference_date:
        return about["last_contact"]
    return gone or None


def _close(b: Batch, row: dict, day: date) -> None:
    day = max(day, row["due_on"])
    b.reminders.change(row["reminder_id"], closed_on=day)
    b.count(row["region"], day, "reminders_open", f"reminders_open_{row['rule']}", step=-1)


def close_about(b: Batch, subject: str, rule: ReminderRule, day: date) -> None:
    for row in b.reminders.open_about(subject, rule.value):
        _close(b, row, day)


def contacted(b: Batch, subject: str, rule: ReminderRule, held_on: date) -> None:
    """A contact on `held_on` resolves the reminders counted from an earlier day."""
    for row in b.reminders.open_about(subject, rule.value):
        if held_on > row["reference_date"]:
            _close(b, row, held_on)
