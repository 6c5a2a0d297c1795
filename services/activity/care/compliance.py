"""How far a pair kept its cadence in a month, pure: the profile's rules against what was done.

The answer is "as at the end of the month": a rule's period is counted from its start up to the
month's last day, so a month's answer never changes because of what happens later (except for
activities logged late with a date in that month, which is what they are for). A month not over yet
is judged on the days elapsed (`today`): what was done up to today, and a period is missed only
once its last day is behind today — this month's call is missed from the first of next month, a
week's contact from the Monday after. Each period is

    met      done as often as the rule asks
    missed   the period is over by the month's end (and before today) and it was not done
    open     the period runs on past the month's end or today, not done yet (a yearly wish in May)
    not_due  the pair was active for less than half the period (formed late, or ended early)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from services.activity.care.cadence import Period, Profile, Rule, Source, Who
from services.activity.care.periods import birthday_window, month_bounds, periods_of


class Status(StrEnum):
    met = "met"
    missed = "missed"
    open = "open"
    not_due = "not_due"


@dataclass(frozen=True)
class Done:
    """An activity as evidence for a pair: the kind, the day, who of the pair was there."""

    activity_id: str
    held_on: date
    kind: str
    child_ids: frozenset[str]
    guardians: int = 0
    evidence: int = 0


@dataclass(frozen=True)
class PairFacts:
    pair_id: str
    child_ids: tuple[str, ...]
    started_on: date  # the pairing, or its first activity if that was earlier (records kept late)
    ended_on: date | None
    activities: tuple[Done, ...] = ()
    wishes: tuple[tuple[str, date], ...] = ()  # (child id, fulfilled on)
    birth_dates: Mapping[str, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    child_id: str | None = None


def evaluate(profile: Profile, facts: PairFacts, month: str, today: date | None = None) -> dict:
    """`today`: the day judged on (None: as if the month were over)."""
    month_start, month_end = month_bounds(month)
    rules = [_rule(rule, facts, month_start, month_end, today) for rule in profile.rules]
    return {"pair_id": facts.pair_id, "child_ids": list(facts.child_ids),
            "compliant": all(r["status"] != Status.missed for r in rules), "rules": rules}


def _rule(rule: Rule, facts: PairFacts, month_start: date, month_end: date, today: date | None) -> dict:
    judged = [_window(rule, facts, w, month_end, today) for w in _windows(rule, facts, month_start, month_end)]
    statuses = {w["status"] for w in judged}
    status = next((s for s in (Status.missed, Status.open, Status.met) if s in statuses), Status.not_due)
    return {"rule": rule.name, "label": rule.label, "period": rule.period.value, "status": status,
            "met": status is Status.met, "required": rule.times,
            "count": sum(w["count"] for w in judged), "evidenced": sum(w["evidenced"] for w in judged),
            "windows": judged}


def _windows(rule: Rule, facts: PairFacts, month_start: date, month_end: date) -> list[Window]:
    if rule.period is Period.birthday:
        births = facts.birth_dates
        return [Window(*birthday_window(births[c], month_start.year), c) for c in facts.child_ids if c in births]
    periods = periods_of(rule.period, month_start, month_end)
    if rule.each_child:
        return [Window(s, e, c) for s, e in periods for c in facts.child_ids]
    return [Window(s, e) for s, e in periods]


def _window(rule: Rule, facts: PairFacts, window: Window, month_end: date, today: date | None) -> dict:
    until = min(window.end, month_end, today or month_end)
    count, evidenced = _evidence(rule, facts, window, until)
    over = window.end <= month_end and (today is None or window.end < today)
    if count >= rule.times:
        status = Status.met
    elif not _due(facts, window):
        status = Status.not_due
    else:
        status = Status.missed if over else Status.open
    judged = {"start": window.start.isoformat(), "end": window.end.isoformat(), "count": count,
              "evidenced": evidenced, "status": status}
    return judged | ({"child_id": window.child_id} if window.child_id else {})


def _evidence(rule: Rule, facts: PairFacts, window: Window, until: date) -> tuple[int, int]:
    """How many times it was done in the window up to `until`, and how many of those carry
    evidence references (a fulfilled wish is its own evidence)."""
    if rule.source is Source.wishes:
        wanted = {window.child_id} if window.child_id else set(facts.child_ids)
        count = sum(1 for child, day in facts.wishes if child in wanted and window.start <= day <= until)
        return count, count
    done = [a for a in facts.activities
            if a.kind in rule.kinds and window.start <= a.held_on <= until and _with(rule, a, window)]
    return len(done), sum(1 for a in done if a.evidence)


def _with(rule: Rule, activity: Done, window: Window) -> bool:
    if rule.who is Who.guardian:
        return activity.guardians > 0
    return window.child_id in activity.child_ids if window.child_id else bool(activity.child_ids)


def _due(facts: PairFacts, window: Window) -> bool:
    """Due when the pair was active for at least half of the window."""
    first = max(window.start, facts.started_on)
    last = min(window.end, facts.ended_on or window.end)
    active = (last - first).days + 1
    return active * 2 >= (window.end - window.start).days + 1
