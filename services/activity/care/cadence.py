"""Cadence profiles: how often a pair is expected to do what, as each province's reports state it.

A profile is a table of rules, nothing else: which activity kinds count, over which period, with
whom (the child or the guardian), how many times. Two rules are special: the birthday is met by a
birthday activity within a week of the child's birthday, and the micro-wish by a fulfilled wish.
Which profile a region follows is configured below by division-code prefix (the longest wins).

    haimen        海门 "five ones": a monthly call, and in the year a reading, a holiday
                  activity, the child's birthday and a fulfilled micro-wish
    heilongjiang  黑龙江 周联系、月走访、季陪伴、年圆梦: weekly contact, a monthly home visit,
                  quarterly accompaniment, a yearly wish
    ningxia       宁夏 weekly contact with the child, monthly contact with the guardian
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from contracts.activity.care import ActivityKind as K


class Period(StrEnum):
    week = "week"  # ISO weeks; a week belongs to the month of its Thursday
    month = "month"
    quarter = "quarter"
    year = "year"
    birthday = "birthday"  # the child's birthday, a week either side, in the year of the month asked


class Who(StrEnum):
    child = "child"  # a child of the pair was present
    guardian = "guardian"  # a guardian was present (a call with the grandmother counts)


class Source(StrEnum):
    activities = "activities"
    wishes = "wishes"  # fulfilled micro-wishes of the pair's children


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    period: Period
    kinds: frozenset[K] = frozenset()
    who: Who = Who.child
    source: Source = Source.activities
    each_child: bool = False  # met for each child of the pair, not once for the pair
    times: int = 1


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    rules: tuple[Rule, ...]
    contact_overdue_days: int  # the reminder process's patience before "contact overdue"


CONTACT = frozenset(K)  # any activity with the child keeps in contact
ACCOMPANIMENT = frozenset(K) - {K.phone_call, K.home_visit}  # time spent together beyond a visit
BIRTHDAY_WINDOW_DAYS = 7

HAIMEN = Profile("haimen", "海门 五个一", (
    Rule("monthly_call", "亲情连线 a call every month", Period.month, frozenset({K.phone_call})),
    Rule("reading", "陪你阅读 a reading in the year", Period.year, frozenset({K.reading})),
    Rule("holiday_activity", "假日活动 a holiday activity in the year", Period.year,
         frozenset({K.holiday_activity})),
    Rule("birthday", "过生日 the birthday, within a week of it", Period.birthday,
         frozenset({K.birthday}), each_child=True),
    Rule("wish", "微心愿 a fulfilled wish in the year", Period.year, source=Source.wishes,
         each_child=True),
), contact_overdue_days=31)

HEILONGJIANG = Profile("heilongjiang", "黑龙江 周联系、月走访、季陪伴、年圆梦", (
    Rule("weekly_contact", "周联系 contact every week", Period.week, CONTACT),
    Rule("monthly_visit", "月走访 a home visit every month", Period.month, frozenset({K.home_visit})),
    Rule("quarterly_accompaniment", "季陪伴 time together every quarter", Period.quarter, ACCOMPANIMENT),
    Rule("yearly_wish", "年圆梦 a fulfilled wish in the year", Period.year, source=Source.wishes,
         each_child=True),
), contact_overdue_days=7)

NINGXIA = Profile("ningxia", "宁夏 每周联系孩子、每月交流监护人", (
    Rule("weekly_child_contact", "每周与孩子联系 contact with the child every week", Period.week, CONTACT),
    Rule("monthly_guardian_contact", "每月与监护人交流 contact with the guardian every month",
         Period.month, CONTACT, who=Who.guardian),
), contact_overdue_days=7)

PROFILES: dict[str, Profile] = {p.name: p for p in (HAIMEN, HEILONGJIANG, NINGXIA)}
REGION_PROFILES: dict[str, str] = {"320614": "haimen", "23": "heilongjiang", "64": "ningxia"}
DEFAULT_PROFILE = "haimen"


class UnknownProfile(ValueError):
    pass


def profile_named(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfile(f"unknown cadence profile {name!r}; known: {', '.join(PROFILES)}") from None


def profile_for(region_code: str) -> Profile:
    """The profile a region follows: its longest configured prefix, else the default."""
    prefixes = [p for p in REGION_PROFILES if region_code.startswith(p)]
    return PROFILES[REGION_PROFILES[max(prefixes, key=len)] if prefixes else DEFAULT_PROFILE]
