"""The dashboard's languages: zh-CN by default, English by a remembered switch (a cookie).

Labels come from one message catalog per language (translations/<lang>.json, flat keys, plus one
file per page area, translations/<lang>.<area>.json, so that each area keeps its own words); a key
missing from a catalog falls back to the zh-CN text, then to the key itself, so a page never breaks
for want of a translation. Numbers and times are formatted by Babel in the page's locale; times in
China time (Asia/Shanghai), the zone named, since the operators all work in it while the events
record UTC."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent

LANGUAGES = {"zh-CN": "zh_Hans_CN", "en": "en"}  # page language -> Babel locale
DEFAULT = "zh-CN"
COOKIE = "aixin_lang"
CATALOGS = Path(__file__).parent / "translations"
CHINA = ZoneInfo("Asia/Shanghai")


@cache
def catalog(lang: str) -> dict[str, str]:
    """The language's whole catalog: the main file, then each area's file (a key twice is an error,
    found by the catalog's test rather than by an operator reading the wrong word)."""
    files = [CATALOGS / f"{lang}.json", *sorted(CATALOGS.glob(f"{lang}.*.json"))]
    merged: dict[str, str] = {}
    for path in files:
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def language_of(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT


@dataclass(frozen=True)
class Translator:
    lang: str

    @property
    def locale(self) -> str:
        return LANGUAGES[self.lang]

    def gettext(self, key: str, **values: object) -> str:
        text = catalog(self.lang).get(key) or catalog(DEFAULT).get(key) or key
        return text.format(**values) if values else text

    def label(self, key: str, fallback: str) -> str:
        """The catalog's text for `key`, else `fallback` (a column named only by its API field)."""
        return catalog(self.lang).get(key) or catalog(DEFAULT).get(key) or fallback

    def event(self, event_type: str) -> str:
        """An event type's label ("ChildRegistered" -> 登记儿童); a type the catalog does not know
        yet (a newer contract) shows by its own name rather than not at all."""
        return self.label(f"event.{event_type}", event_type) if event_type else "–"

    def moment(self, value: object) -> str:
        """A time (a datetime or its ISO text; naive ones are UTC, as the event log records them)
        in China time, written as Babel writes it for the locale, with the zone's name."""
        when = value if isinstance(value, datetime) else _parse_time(value)
        if when is None:
            return str(value or "–")
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        return (f"{format_datetime(when, 'medium', tzinfo=CHINA, locale=self.locale)} "
                f"{format_datetime(when, 'zzzz', tzinfo=CHINA, locale=self.locale)}")

    def number(self, value: object) -> str:
        if value is None or value == "":
            return "–"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        return format_decimal(value, locale=self.locale)

    def percent(self, value: object) -> str:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return "–"
        return format_percent(value, locale=self.locale, format="#,##0.#%")

    def change(self, delta: object, unit: str = "count") -> str:
        """A difference with its sign: "+3", "-1,200", "+2.5%" (a share's change, in points)."""
        if not isinstance(delta, int | float) or isinstance(delta, bool):
            return "–"
        if unit == "share":
            return format_percent(delta, locale=self.locale, format="+#,##0.#%;-#,##0.#%")
        if unit == "fen":
            return format_decimal(delta / 100, locale=self.locale, format="+#,##0.00;-#,##0.00")
        return format_decimal(delta, locale=self.locale, format="+#,##0.#;-#,##0.#")

    def figure(self, value: object, unit: str = "count") -> str:
        if unit == "share":
            return self.percent(value)
        if unit == "fen" and isinstance(value, int | float):
            return format_decimal(value / 100, locale=self.locale, format="#,##0.00")
        return self.number(value)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
