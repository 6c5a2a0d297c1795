"""The ledger's arithmetic, pure: deltas summed per (leaf region, day, figure); a region's figure is
the sum over the codes under its prefix; as of a day, the sum of the rows up to it; a monthly series
takes flows month by month and stocks as they stand at each month's end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from services.projections.figures.catalogue import STOCKS

Key = tuple[str, date, str]  # (leaf region, day, figure)


class Deltas:
    """What a batch changes: the sum of its steps per key. A key stepped to a net zero is kept, so
    that the ledger holds the same rows however the log was cut into batches.

    A step dated after the day its event was recorded (`recorded`) is also summed in `ahead`; the
    keys with any other step are `settled`. Both depend only on the events, never on the clock."""

    def __init__(self) -> None:
        self.steps: dict[Key, int] = defaultdict(int)
        self.ahead: dict[Key, int] = defaultdict(int)
        self.settled: set[Key] = set()

    def add(self, region: str, day: date, figure: str, step: int = 1, recorded: date | None = None) -> None:
        key = (region, day, figure)
        self.steps[key] += step
        if recorded is not None and day > recorded:
            self.ahead[key] += step
        else:
            self.settled.add(key)

    def rows(self) -> list[dict]:
        return [{"region": r, "day": d, "figure": f, "delta": v} for (r, d, f), v in sorted(self.steps.items())]


def code_range(prefix: str) -> tuple[str, str]:
    """The 12-digit codes under a prefix, as a range an index serves on any collation ('' for CN)."""
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def as_of(rows: Iterable[tuple[str, date, str, int]], prefix: str, day: date) -> dict[str, int]:
    """What the database query answers, in Python: every figure under `prefix` as of `day`."""
    totals: dict[str, int] = defaultdict(int)
    for region, on, figure, delta in rows:
        if region.startswith(prefix) and on <= day:
            totals[figure] += delta
    return dict(totals)


def month_ends(year: int, until: date) -> list[tuple[date, date]]:
    """(first day, last day) of each month of `year` that has begun by `until`, the last one cut at it."""
    months = []
    for number in range(1, 13):
        start = date(year, number, 1)
        if start > until:
            break
        end = (date(year + number // 12, number % 12 + 1, 1)) - timedelta(days=1)
        months.append((start, min(end, until)))
    return months


def monthly(opening: Mapping[str, int], by_day: Iterable[tuple[date, str, int]], year: int,
            until: date) -> list[tuple[str, dict[str, int]]]:
    """A series over the months of `year` up to `until`: per month, each flow's sum in the month and
    each stock's level at the month's end. `opening`: every figure summed over the days before the
    year; `by_day`: (day, figure, sum of that day)."""
    months = month_ends(year, until)
    in_month: list[dict[str, int]] = [defaultdict(int) for _ in months]
    for day, figure, delta in by_day:
        for index, (start, end) in enumerate(months):
            if start <= day <= end:
                in_month[index][figure] += delta
                break
    level = defaultdict(int, {k: v for k, v in opening.items() if k in STOCKS})
    series = []
    for (start, _end), flows in zip(months, in_month):
        for figure in STOCKS:
            level[figure] += flows.get(figure, 0)
        values = {k: v for k, v in flows.items() if k not in STOCKS} | {k: v for k, v in level.items() if v}
        series.append((start.strftime("%Y-%m"), values))
    return series


def month_values(level: Mapping[str, int], flow: Mapping[str, int]) -> dict[str, int]:
    """A month's figures from the levels at its end and the sums within it: stocks, then flows."""
    return {k: v for k, v in flow.items() if k not in STOCKS} | {k: v for k, v in level.items() if k in STOCKS}
