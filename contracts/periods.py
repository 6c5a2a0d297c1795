"""The named periods the federation's reports quote — 寒假 (winter break), 暑假 (summer break), 六一
(Children's Day) — as spans of days of a given year, configurable per year.

A period is named in Chinese or by its English alias (`winter`, `summer`, `june1`). Its days by
default: 寒假 from 20 January to the last day of February of the year (the break that begins the
calendar year: `寒假 2026` is January–February 2026), 暑假 1 July–31 August, 六一 1 June. Schools'
breaks move with the Spring Festival and from province to province, so a deployment sets its own:
a JSON file `periods.json` in the data directory, or the environment variable AIXIN_PERIODS (the
same JSON, or the path of such a file; it wins over the file), e.g.

    {"寒假": {"2027": ["2027-01-25", "2027-03-01"], "default": ["01-18", "02-25"]},
     "暑假": {"default": ["07-05", "08-31"]},
     "春季学期": {"default": ["03-01", "06-30"]}}

Each period maps a year (or "default": every year without its own) to [first day, last day], full
dates or month-day; a name not built in is a period of its own. Pure but for `load_settings`.
"""

from __future__ import annotations

import json
import os
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SETTINGS_FILE = "periods.json"
SETTINGS_ENV = "AIXIN_PERIODS"
DEFAULT = "default"
# Built-in periods: (first (month, day), last (month, day)); a last day of 0 is the month's last.
BUILT_IN: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "寒假": ((1, 20), (2, 0)),
    "暑假": ((7, 1), (8, 31)),
    "六一": ((6, 1), (6, 1)),
}
ALIASES = {"winter": "寒假", "summer": "暑假", "june1": "六一", "children_day": "六一"}


class PeriodError(ValueError):
    """A period that cannot be: unknown, malformed, ending before it begins, not yet begun. The
    message names why; `field` the input at fault (from, to, period, year), if one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Span:
    """Days from `start` to `end`, both counted; `name`: the period's, if it is a named one."""

    start: date
    end: date
    name: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def canonical(name: str, settings: Mapping[str, Mapping] | None = None) -> str:
    """A period's Chinese name from itself or its alias; PeriodError if no such period is known."""
    found = ALIASES.get(name.strip().lower(), name.strip())
    if found in BUILT_IN or found in (settings or {}):
        return found
    known = sorted({*BUILT_IN, *(settings or {})}) + sorted(ALIASES)
    raise PeriodError(f"{name!r} is not a known period (known: {', '.join(known)})")


def _day(text: str, year: int, where: str) -> date:
    try:
        if len(text) == 5:  # MM-DD
            month, day = int(text[:2]), int(text[3:])
            return date(year, month, day if day else monthrange(year, month)[1])
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise PeriodError(f"{where}: {text!r} is not a day like 2026-01-20 or 01-20") from None


def span_of(name: str, year: int, settings: Mapping[str, Mapping] | None = None) -> Span:
    """The days of the period `name` (or its alias) in `year`: the settings' for that year, else
    their default, else the built-in one."""
    settings = settings or {}
    chosen = canonical(name, settings)
    configured = settings.get(chosen, {})
    pair = configured.get(str(year)) or configured.get(DEFAULT)
    if pair is not None:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise PeriodError(f"{chosen} {year}: the settings give {pair!r}, not [first day, last day]")
        start, end = (_day(text, year, f"{chosen} {year}") for text in pair)
    else:
        (m1, d1), (m2, d2) = BUILT_IN[chosen]
        start = date(year, m1, d1)
        end = date(year, m2, d2 or monthrange(year, m2)[1])
    if end < start:
        raise PeriodError(f"{chosen} {year}: its last day {end} is before its first {start}")
    return Span(start, end, chosen)


def requested(start: date | None, end: date | None, period: str | None, year: int | None, today: date,
              settings: Mapping[str, Mapping] | None = None) -> Span:
    """The span a request asks for: `start` to `end` (both needed), or a named period of `year`
    (default: the latest one begun), cut at `today` while it is under way. Nothing after today:
    figures stand up to it."""
    if period is not None:
        if start is not None or end is not None:
            raise PeriodError("give either a period or from and to, not both", "period")
        try:
            span = span_of(period, year if year is not None else latest_year(period, today, settings), settings)
        except PeriodError as error:
            raise PeriodError(str(error), "period") from None
        if span.start > today:
            raise PeriodError(f"{span.name} {span.start.year} begins {span.start}, after today ({today})", "year")
        return Span(span.start, min(span.end, today), span.name)
    if year is not None:
        raise PeriodError("year names the year of a period: give period too", "year")
    if start is None or end is None:
        raise PeriodError("a period needs both from and to (or a named period)", "from" if start is None else "to")
    if start > end:
        raise PeriodError(f"from ({start}) is after to ({end})", "from")
    if end > today:
        raise PeriodError(f"to: {end} is after today ({today}); figures stand up to today", "to")
    return Span(start, end)


def latest_year(name: str, today: date, settings: Mapping[str, Mapping] | None = None) -> int:
    """The year of the latest period `name` that has begun by `today` (this year's, or last year's)."""
    return today.year if span_of(name, today.year, settings).start <= today else today.year - 1


def check_settings(settings: object) -> dict[str, dict]:
    """Settings as read from JSON, checked: every period's every year resolves; PeriodError if not."""
    if not isinstance(settings, dict) or not all(isinstance(v, dict) for v in settings.values()):
        raise PeriodError('period settings are an object of periods, each {"YEAR" or "default": [first, last]}')
    for name, years in settings.items():
        for year in years:
            if year != DEFAULT and not (isinstance(year, str) and year.isdigit() and len(year) == 4):
                raise PeriodError(f"{name}: {year!r} is not a year like 2026 or \"default\"")
            span_of(name, int(year) if year != DEFAULT else 2000, settings)
    return settings


def load_settings(data_dir: Path | None, environ: Mapping[str, str] = os.environ) -> dict[str, dict]:
    """The period settings: AIXIN_PERIODS (JSON or a file's path), else `periods.json` in the data
    directory, else none (the built-in days)."""
    text = environ.get(SETTINGS_ENV, "").strip()
    source = SETTINGS_ENV
    if text and not text.startswith("{"):
        source, text = text, _read(Path(text), SETTINGS_ENV)
    elif not text and data_dir is not None and (data_dir / SETTINGS_FILE).is_file():
        source, text = str(data_dir / SETTINGS_FILE), _read(data_dir / SETTINGS_FILE, SETTINGS_FILE)
    if not text:
        return {}
    try:
        return check_settings(json.loads(text))
    except json.JSONDecodeError as error:
        raise PeriodError(f"{source} is not JSON: {error}") from None
    except PeriodError as error:
        raise PeriodError(f"{source}: {error}") from None


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise PeriodError(f"{what}: cannot read {path}: {error.strerror}") from None
