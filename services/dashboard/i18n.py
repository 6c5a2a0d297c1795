"""The dashboard's languages: zh-CN by default, English by a remembered switch (a cookie).

Labels come from one message catalog per language (translations/<lang>.json, flat keys); a key
missing from a catalog falls back to the zh-CN text, then to the key itself, so a page never breaks
for want of a translation. Numbers are formatted by Babel in the page's locale."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.numbers import format_decimal, format_percent

LANGUAGES = {"zh-CN": "zh_Hans_CN", "en": "en"}  # page language -> Babel locale
DEFAULT = "zh-CN"
COOKIE = "aixin_lang"
CATALOGS = Path(__file__).parent / "translations"


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((CATALOGS / f"{lang}.json").read_text(encoding="utf-8"))


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
