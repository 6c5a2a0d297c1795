"""Calendar arithmetic for cadences, pure: months, the periods a month is judged on, birthdays."""

from __future__ import annotations

from datetime import date, timedelta

from services.activity.care.cadence import BIRTHDAY_WINDOW_DAYS, Period


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-05' -> (2026-05-01, 2026-05-31); ValueError for anything else."""
    year, _, number = month.partition("-")
    if len(year) != 4 or len(number) != 2:
        raise ValueError(f"{month!r} is not a month like 2026-05")
    start = date(int(year), int(number), 1)
    return start, next_month(start) - timedelta(days=1)


def scope_start(month_start: date) -> date:
    """The earliest day any rule looks back to: a January week or birthday may begin in December."""
    return date(month_start.year, 1, 1) - timedelta(days=BIRTHDAY_WINDOW_DAYS)


def periods_of(period: Period, month_start: date, month_end: date) -> list[tuple[date, date]]:
    """The periods a month is judged on: its ISO weeks (those whose Thursday falls in it, so that
    every week belongs to exactly one month), the month, its quarter or its year."""
    if period is Period.week:
        thursday = month_start + timedelta(days=(3 - month_start.weekday()) % 7)
        weeks = []
        while thursday <= month_end:
            weeks.append((thursday - timedelta(days=3), thursday + timedelta(days=3)))
            thursday += timedelta(days=7)
        return weeks
    if period is Period.month:
        return [(month_start, month_end)]
    if period is Period.quarter:
        first = date(month_start.year, (month_start.month - 1) // 3 * 3 + 1, 1)
        return [(first, next_month(next_month(next_month(first))) - timedelta(days=1))]
    return [(date(month_start.year, 1, 1), date(month_start.year, 12, 31))]


def birthday_window(birth: date, year: int) -> tuple[date, date]:
    day = birthday_in(birth, year)
    span = timedelta(days=BIRTHDAY_WINDOW_DAYS)
    return day - span, day + span


def birthday_in(birth: date, year: int) -> date:
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
