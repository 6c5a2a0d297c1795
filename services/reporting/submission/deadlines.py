"""When each level's month is due: a day of the next month, later for the levels above, which wait
for the submissions of the levels below (a street/town the 3rd, a district the 5th, a city the 10th,
a province the 15th). Configurable: `AIXIN_SUBMISSION_DEADLINES=district=5,city=12` (the levels not
named keep their day). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from contracts.envelope import FederationLevel

DEFAULT_DAYS: Mapping[FederationLevel, int] = {
    FederationLevel.street: 3,
    FederationLevel.district: 5,
    FederationLevel.city: 10,
    FederationLevel.province: 15,
}
# The offices that submit: a street/town too, when it has sub-offices (every one has communities);
# the community/village office reports to its town without a submission of its own, and the
# national office receives, it submits to no one.
SUBMITTING = frozenset(DEFAULT_DAYS)
# The sub-offices an office waits for before it submits: those whose submission is expected (a
# town's is welcome, not awaited: its figures are in its district's anyway).
AWAITED = frozenset({FederationLevel.district, FederationLevel.city, FederationLevel.province})
ENV = "AIXIN_SUBMISSION_DEADLINES"


def parse_days(text: str | None) -> dict[FederationLevel, int]:
    """`district=5,city=12` over the defaults; a level or day that cannot be is a ValueError."""
    days = dict(DEFAULT_DAYS)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, day = part.partition("=")
        level = FederationLevel(name.strip())
        if level not in SUBMITTING or not day.strip().isdigit() or not 1 <= int(day) <= 28:
            raise ValueError(f"{ENV}: {part.strip()!r} is not LEVEL=DAY with a submitting level and a day 1-28")
        days[level] = int(day)
    return days


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of `YYYY-MM`."""
    first = date(int(month[:4]), int(month[5:7]), 1)
    return first, next_month(first) - timedelta(days=1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def deadline(month: str, level: FederationLevel, days: Mapping[FederationLevel, int] = DEFAULT_DAYS) -> date:
    first, _ = month_bounds(month)
    return next_month(first).replace(day=days[level])


def days_late(due: date, on: date) -> int:
    return max(0, (on - due).days)
