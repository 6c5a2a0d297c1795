"""Cell values as office software writes them: text, numbers, dates, Excel date cells.

Each parser returns the value or raises ValueError with the reason an operator reads in the report.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TypeVar

from contracts.envelope import FederationLevel
from contracts.regions import InvalidRegion, known_region
from services.intake.idcard import IdNumber, parse_id_number

T = TypeVar("T")
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's fictitious 1900-02-29 included)
DATE_PATTERNS = (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+0{1,2}:00(?::00)?)?$"),
                 re.compile(r"^(\d{4})(\d{2})(\d{2})$"))
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
GRADES = {"学前": 0, "幼儿园": 0, "未入学": 0, "一年级": 1, "二年级": 2, "三年级": 3, "四年级": 4,
          "五年级": 5, "六年级": 6, "七年级": 7, "初一": 7, "八年级": 8, "初二": 8, "九年级": 9,
          "初三": 9, "高一": 10, "高二": 11, "高三": 12}
NUMBER_CELL_HINT = ("; the cell holds a number, and spreadsheets keep only 15 digits of a number: "
                    "format the column as text and export the list again")


def text(value: object) -> str:
    """A cell as text: whole numbers without '.0', Excel's ="…" and '… text forms unwrapped."""
    if value.__class__ is str:  # every cell of a CSV file: the path taken millions of times
        result = value.strip()
    elif value is None:
        return ""
    elif isinstance(value, float) and value.is_integer():
        result = str(int(value))
    elif isinstance(value, datetime):
        midnight = (value.hour, value.minute, value.second) == (0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    else:
        result = str(value).strip()
    if result[:1] in ("=", "'"):
        if result.startswith('="') and result.endswith('"'):
            result = result[2:-1]
        result = result.lstrip("'").strip()
    return result


def is_blank(value: object) -> bool:
    return text(value) == ""


def choice(vocabulary: dict[str, T], what: str):
    def parse(value: object) -> T:
        key = text(value).replace(" ", "")
        found = vocabulary.get(key) or vocabulary.get(key.lower())
        if found is None:
            known = "、".join(k for k in vocabulary if not k.isascii())
            raise ValueError(f"{text(value)!r} is not a known {what} ({known})")
        return found
    return parse


def birth_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not 19000101 <= value <= 21001231:
        if 1 <= value < 100_000:  # an Excel date serial in a cell not formatted as a date
            return EXCEL_EPOCH + timedelta(days=int(value))
    raw = text(value)
    for pattern in DATE_PATTERNS:
        if match := pattern.match(raw):
            try:
                return date(*map(int, match.groups()))
            except ValueError:
                raise ValueError(f"{raw!r} is not a calendar date") from None
    raise ValueError(f"{raw!r} is not a date (write 2015-03-08, 2015/3/8 or 20150308)")


def id_number(value: object) -> IdNumber:
    hint = NUMBER_CELL_HINT if isinstance(value, (int, float)) or "E+" in text(value).upper() else ""
    try:
        return parse_id_number(text(value))
    except ValueError as error:
        raise ValueError(f"{error}{hint}") from None


def phone(value: object) -> str:
    raw = text(value)
    compact = re.sub(r"[\s()（）]", "", raw).removeprefix("+86").removeprefix("0086")
    if MOBILE.match(compact.replace("-", "")):
        return compact.replace("-", "")
    if LANDLINE.match(compact):
        return compact
    raise ValueError(f"{raw!r} is not a mobile (11 digits, 1…) or landline (0…) number")


def community(value: object) -> str:
    raw = text(value)
    try:
        return known_region(raw, FederationLevel.community).code
    except InvalidRegion as error:
        raise ValueError(str(error)) from None


def grade(value: object) -> int:
    raw = text(value).replace(" ", "")
    found = GRADES.get(raw)
    if found is None and raw.isdigit() and 0 <= int(raw) <= 12:
        found = int(raw)
    if found is None:
        raise ValueError(f"{raw!r} is not a grade (0-12, or 一年级…高三)")
    return found


def whole_number(low: int, high: int):
    def parse(value: object) -> int:
        raw = text(value)
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ValueError(f"{raw!r} is not a whole number from {low} to {high}")
        return int(raw)
    return parse


def words(value: object) -> list[str]:
    return [w for w in re.split(r"[、,，;；/\s]+", text(value)) if w]


def plain(value: object) -> str:
    return text(value)
