"""Business days in commands, pure: the day a thing happened in the world, given or today, never
after today and never before the facts it follows (a pair before its child was registered, money
before its fund opened). The record time stays in the envelope; these are the days figures count by."""

from __future__ import annotations

from datetime import date

from services.shared.errors import InvalidCommand


def day_of(field: str, given: date | None, today: date) -> date:
    """The command's day for `field`: the one given, else today; refused if after today."""
    day = given or today
    if day > today:
        raise InvalidCommand(field, f"{day} is in the future (today is {today})")
    return day


def not_before(field: str, day: date, earlier: date | None, what: str) -> None:
    """Refuse `day` if it is before `earlier`, the day of `what` (e.g. "child c1 was registered");
    nothing to hold it against when that day is not known."""
    if earlier is not None and day < earlier:
        raise InvalidCommand(field, f"{day} is before the day {what} ({earlier})")
