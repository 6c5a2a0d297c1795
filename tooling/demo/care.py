"""The demo's care activities: what pairs following Haimen's "five ones" might log in 2026.

January to May: most pairs call in most months, many read together, some hold a holiday activity
(Spring Festival, May Day), and most celebrate a child's birthday within a few days of it. Its own
random stream, so adding it changed nothing else the demo does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from contracts.activity.care import ActivityKind, ActivityPlace, LogActivity

FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2026, 5, 31)
HOLIDAYS = [(date(2026, 2, 16), 7), (date(2026, 5, 1), 5)]  # (first day, days)


def care_activities(demo, pairs: list[dict], children: list[dict]) -> list[tuple[str, str, object]]:
    """Round by round, like the demo's visits, so that one pair's activities are not in flight together."""
    rng = random.Random(f"care-{demo.seed}")
    births = {c["child_id"]: c["command"].birth_date for c in children}
    plans = [_plan(rng, births.get(p["command"].child_ids[0])) for p in pairs]
    jobs = []
    for k in range(max(map(len, plans), default=0)):
        for i, (pair, plan) in enumerate(zip(pairs, plans)):
            if k < len(plan):
                kind, held_on = plan[k]
                place = None if kind is ActivityKind.phone_call else rng.choice(list(ActivityPlace))
                jobs.append(("activity", "log_activity", LogActivity(
                    command_id=demo.cid(f"care{k}", i), actor=pair["command"].actor,
                    pair_id=pair["pair_id"], kind=kind, held_on=held_on, place=place,
                    duration_minutes=rng.choice([20, 45, 90, 120]),
                    guardians_present=rng.choice([0, 1]),
                    evidence=[f"photo-{demo.seed}-{k}-{i}"] if rng.random() < 0.5 else [])))
    return jobs


def _plan(rng: random.Random, birth: date | None) -> list[tuple[ActivityKind, date]]:
    plan = [(ActivityKind.phone_call, date(2026, month, rng.randint(1, 28)))
            for month in range(1, 6) if rng.random() < 0.8]
    if rng.random() < 0.6:
        plan.append((ActivityKind.reading, date(2026, 1, 1) + timedelta(days=rng.randrange(151))))
    if rng.random() < 0.4:
        first, days = rng.choice(HOLIDAYS)
        plan.append((ActivityKind.holiday_activity, first + timedelta(days=rng.randrange(days))))
    if birth and rng.random() < 0.7:
        birthday = _in_2026(birth) + timedelta(days=rng.randint(-3, 3))
        if FIRST_DAY <= birthday <= LAST_DAY:  # a pair's care starts on its forming day, January 1
            plan.append((ActivityKind.birthday, birthday))
    return plan


def _in_2026(birth: date) -> date:
    return date(2026, 2, 28) if (birth.month, birth.day) == (2, 29) else birth.replace(year=2026)
