"""Query: the cadence compliance of every pair of a region for a month, under a profile.

A pair is asked about when it was active at some time in the month. Its facts (activities, its
children's birthdays and fulfilled wishes, from the start of the year up to the month's end) come
from the `pair_compliance` read model; the verdict is `services.activity.care.compliance.evaluate`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.activity.care.cadence import Profile
from services.activity.care.compliance import Done, PairFacts, evaluate
from services.activity.care.periods import month_bounds, scope_start
from services.projections.pair_compliance.model import activities, birthdays, pairs, wishes

CHUNK = 500  # ids per IN list, well below every backend's parameter limit


async def pair_compliance(conn: AsyncConnection, region: Region, month: str, profile: Profile,
                          limit: int = 1000, offset: int = 0, today: date | None = None) -> dict:
    """Raises ValueError for a month that is not like 2026-05. `today`: the day judged on, for a
    month not over yet (or as of a past day); pairs formed after it are not asked about, and a pair
    that ended after it was still active then."""
    month_start, month_end = month_bounds(month)
    last = min(month_end, today) if today else month_end
    active = and_(pairs.c.started_on <= last,
                  or_(pairs.c.ended_on.is_(None), pairs.c.ended_on >= month_start))
    if region.prefix:
        active = and_(active, pairs.c.region.startswith(region.prefix, autoescape=True))
    total = (await conn.execute(select(func.count()).select_from(pairs).where(active))).scalar_one()
    rows = (await conn.execute(select(pairs).where(active).order_by(pairs.c.pair_id)
                               .limit(limit).offset(offset))).all()
    since = scope_start(month_start)
    done = await _activities(conn, [r.pair_id for r in rows], since, month_end)
    children = sorted({c for r in rows for c in r.child_ids})
    births, fulfilled = await _children(conn, children, since, month_end)
    reports = []
    for row in rows:
        ended_on = row.ended_on if today is None or (row.ended_on and row.ended_on <= today) else None
        facts = PairFacts(row.pair_id, tuple(row.child_ids), row.started_on, ended_on,
                          tuple(done[row.pair_id]), tuple(w for c in row.child_ids for w in fulfilled[c]),
                          {c: births[c] for c in row.child_ids if c in births})
        reports.append({"region": row.region, "mode": row.mode, **evaluate(profile, facts, month, today)})
    return {"region": region.code, "month": month, "profile": profile.name, "label": profile.label,
            "judged_on": (today or month_end).isoformat(), "total": total, "offset": offset, "summary": _summary(profile, reports), "pairs": reports}


async def _activities(conn: AsyncConnection, pair_ids: list[str], since: date, until: date) -> dict[str, list[Done]]:
    found: dict[str, list[Done]] = defaultdict(list)
    for chunk in _chunks(pair_ids):
        query = (select(activities).where(activities.c.pair_id.in_(chunk),
                                          activities.c.held_on.between(since, until))
                 .order_by(activities.c.held_on, activities.c.activity_id))
        for row in await conn.execute(query):
            found[row.pair_id].append(Done(row.activity_id, row.held_on, row.kind, frozenset(row.child_ids),
                                           row.guardians, row.evidence))
    return found


async def _children(conn: AsyncConnection, child_ids: list[str], since: date, until: date):
    births: dict[str, date] = {}
    fulfilled: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for chunk in _chunks(child_ids):
        births.update((await conn.execute(select(birthdays.c.child_id, birthdays.c.birth_date)
                                          .where(birthdays.c.child_id.in_(chunk)))).all())
        query = (select(wishes.c.child_id, wishes.c.fulfilled_on)
                 .where(wishes.c.child_id.in_(chunk), wishes.c.fulfilled_on.between(since, until)))
        for child, day in await conn.execute(query):
            fulfilled[child].append((child, day))
    return births, fulfilled


def _summary(profile: Profile, reports: list[dict]) -> dict:
    """Per rule, how many of the pairs shown stand in each status; and how many missed nothing."""
    counts = {rule.name: Counter() for rule in profile.rules}
    for report in reports:
        for rule in report["rules"]:
            counts[rule["rule"]][rule["status"].value] += 1
    return {"pairs": len(reports), "compliant": sum(r["compliant"] for r in reports),
            "rules": {name: dict(c) for name, c in counts.items()}}


def _chunks(ids: list[str]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]
