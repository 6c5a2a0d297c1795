"""A national history for `aixin bench --scale --events N`: a year of the programme across real
villages, in the reports' proportions, appended through the product's event log.

Per child (the proportions, from the reports quoted in shared/domain.md):
- registered (1), with a caring mother recruited for her (1: Sichuan, 173,000 mothers with 170,000+
  children), half of them trained at a station (0.5: Sichuan, 80,000 of 173,000 trained);
- PAIRED of the children paired one to one (PairFormed, ChildJoinedPair, VolunteerJoinedPair: 3);
- per pair, VISITS visits and calls a year (Haimen: 1,300+ calls, 700+ readings, 76 holiday
  activities, 100+ birthdays for 190 children in two years: ≈5.7) and ACTIVITIES logged activities
  (Guangzhou: 5,411 summer activities for 6,591 paired children: ≈1);
- WISHES micro-wishes a year, submitted and fulfilled (Haimen: 300+ in two years for 190: ≈0.8);
- the birthday reminder for a paired child, raised where her birthday is within a week of today
  (as the reminder process raises it).
That is ≈12.9 events per child a year (measured: 936,327 for 72,833 children) — 7 M children make
≈90 M events a year, near the "≈100 M" of the national plan. A child's events are appended as one atomic batch (as an import appends its rows),
UNITS_IN_FLIGHT children at a time; the children are spread over the provinces as
`tooling.bench.queries.placed` spreads them.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from contracts.activity.care import ActivityLogged, VisitLogged
from contracts.activity.reminders import ReminderRaised
from contracts.activity.wishes import WishFulfilled, WishSubmitted
from contracts.intake.registration import ChildRegistered, VolunteerRecruited
from contracts.intake.volunteers import VolunteerTrained
from contracts.pairing.pairs import ChildJoinedPair, PairFormed, VolunteerJoinedPair
from contracts.regions import parse_region
from contracts.subjects import event_subject
from services.activity.reminders.rules import ChildWatch, birthday_coming
from services.shared.eventlog import EventLog, PendingEvent, RawMessage
from tooling.bench.queries import ACTOR, NAMESPACE, SEALED, birth_date, placed

PAIRED = 0.9
VISITS = 5.7
ACTIVITIES = 1.0
WISHES = 0.8
TRAINED = 0.5
EVENTS_PER_CHILD = 1 + 1 + TRAINED + PAIRED * (3 + VISITS + ACTIVITIES) + 2 * WISHES  # the reminders aside
UNITS_IN_FLIGHT = 64
PROGRESS_EVERY = 50_000
VISIT_KINDS = ("phone_call", "phone_call", "phone_call", "reading", "reading", "home_visit", "birthday",
               "holiday_activity")


def children_for(events: int) -> int:
    return max(1, round(events / EVENTS_PER_CHILD))


@dataclass
class _Unit:
    """One child's year: her events in the order they were recorded."""

    village: str
    events: list[tuple[str, str, RawMessage]] = field(default_factory=list)  # (aggregate, id, message)

    def add(self, kind, aggregate: str, key: str, day: date, data: dict, version: int = 1) -> None:
        at = datetime.combine(day, clock_time(9), UTC).isoformat()
        envelope = {"event_id": str(uuid.uuid5(NAMESPACE, f"{key}:{len(self.events)}")), "event_type": kind.type_name(),
                    "schema_version": kind.schema_version, "aggregate_type": aggregate, "aggregate_id": key,
                    "aggregate_version": version, "occurred_at": at, "recorded_at": at, "actor": ACTOR,
                    "region": self.village, "correlation_id": key, "causation_id": key, "continues_on": None,
                    "data": data}
        self.events.append((aggregate, key, RawMessage(0, "", json.dumps(envelope).encode())))


def history(events: int, today: date, seed: int = 13) -> Iterator[_Unit]:
    """At least `events` events (the last child's may pass it): a year of the programme up to
    `today`, child by child."""
    villages = placed(round(children_for(events) * 1.2), seed)  # more than enough: a child has 12.9 on average
    rng = random.Random(seed)
    start, count = today - timedelta(days=364), 0
    for index, village in enumerate(villages, start=1):
        if count >= events:
            return
        unit = _unit(index, village, start + timedelta(days=rng.randrange(60)), today, rng)
        count += len(unit.events)
        yield unit


def _unit(index: int, village: str, day: date, today: date, rng: random.Random) -> _Unit:
    unit, child, volunteer, pair = _Unit(village), f"bench-{index}", f"bench-v{index}", f"bench-p{index}"
    born = birth_date(index)
    unit.add(ChildRegistered, "child", child, day, {
        "child_id": child, "region": village, "sex": rng.choice(("female", "male")), "birth_date": born.isoformat(),
        "category": "left_behind" if rng.random() < 0.8 else "in_difficulty", "subtype": None, "grade": None,
        "personal": {**SEALED, "key_id": child}, "guardian_relation": None, "guardian": None,
        "registered_on": day.isoformat()})
    unit.add(VolunteerRecruited, "volunteer", volunteer, day, {
        "volunteer_id": volunteer, "region": village, "sex": "female", "kind": "mother",
        "volunteer_type": "neighbour", "specialties": [], "capacity": 2, "team_id": None,
        "personal": {**SEALED, "key_id": volunteer}, "staff": False, "recruited_on": day.isoformat()})
    version = 2
    if rng.random() < TRAINED:
        unit.add(VolunteerTrained, "volunteer", volunteer, day + timedelta(days=3), {
            "volunteer_id": volunteer, "training_id": f"bench-t{index}", "topic": "minors_protection_law",
            "completed_on": (day + timedelta(days=3)).isoformat()}, version)
    if rng.random() < PAIRED:
        _pair(unit, index, child, volunteer, pair, day + timedelta(days=7), today, rng)
    for number in range(_count(WISHES, rng)):
        _wish(unit, f"bench-w{index}-{number}", child, day + timedelta(days=30 + 90 * number), today)
    return unit


def _pair(unit: _Unit, index: int, child: str, volunteer: str, pair: str, formed: date, today: date,
          rng: random.Random) -> None:
    village = unit.village
    unit.add(PairFormed, "pair", pair, formed, {"pair_id": pair, "mode": "one_to_one", "region": village,
                                                "child_ids": [child], "volunteer_ids": [volunteer],
                                                "formed_on": formed.isoformat()})
    unit.add(ChildJoinedPair, "pairing_child", child, formed, {"child_id": child, "region": village,
                                                               "pair_id": pair, "mode": "one_to_one"})
    unit.add(VolunteerJoinedPair, "pairing_volunteer", volunteer, formed, {
        "volunteer_id": volunteer, "region": village, "pair_id": pair, "mode": "one_to_one", "children": 1})
    span = max((today - formed).days, 1)
    care = 1
    for number in range(_count(VISITS, rng)):
        on = formed + timedelta(days=1 + number * span // 7)
        unit.add(VisitLogged, "pair_care", pair, min(on, today), {
            "pair_id": pair, "visit_id": f"bench-vi{index}-{number}", "kind": rng.choice(VISIT_KINDS),
            "visited_on": min(on, today).isoformat(), "duration_minutes": 30, "child_ids": [child], "note": None},
            care)
        care += 1
    for number in range(_count(ACTIVITIES, rng)):
        on = min(formed + timedelta(days=20 + number * 60), today)
        unit.add(ActivityLogged, "pair_care", pair, on, {
            "pair_id": pair, "activity_id": f"bench-a{index}-{number}", "kind": "study_trip",
            "held_on": on.isoformat(), "duration_minutes": 120, "place": "other", "volunteer_ids": [volunteer],
            "child_ids": [child], "guardians_present": 1, "person_times": 3, "note": None, "evidence": []}, care)
        care += 1
    watch = ChildWatch(child, village, birth_date(index), paired=True, red_since=None, last_contact=None)
    if (raised := birthday_coming(watch, today)) is not None:
        unit.add(ReminderRaised, "reminder", raised.reminder_id, raised.due_on, raised.model_dump(mode="json"))


def _wish(unit: _Unit, wish: str, child: str, day: date, today: date) -> None:
    day = min(day, today)
    unit.add(WishSubmitted, "wish", wish, day, {
        "wish_id": wish, "child_id": child, "region": unit.village, "item": {**SEALED, "key_id": child},
        "category": "study", "estimated_cost_yuan": 80.0})
    unit.add(WishFulfilled, "wish", wish, day, {"wish_id": wish, "child_id": child, "donor_id": None,
                                                "donor": None}, 2)


def _count(mean: float, rng: random.Random) -> int:
    """A whole number whose mean is `mean`."""
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


@dataclass
class Appended:
    children: int
    events: int
    seconds: float
    villages: list[str]


async def append_history(nc, events: int, today: date | None = None, progress=None) -> Appended:
    """The history appended through the event log: each child's events in one atomic batch, each
    aggregate's first event expecting none before it. `progress(events, seconds)` is called every
    PROGRESS_EVERY events appended."""
    log, gate = EventLog(nc), asyncio.Semaphore(UNITS_IN_FLIGHT)
    today = today or datetime.now(UTC).date()
    count, villages, tasks, failed, done = 0, [], set(), [], [0]

    async def one(unit: _Unit) -> None:
        try:
            seen, pending = set(), []
            region = parse_region(unit.village)
            for aggregate, key, message in unit.events:
                envelope = message.decode().envelope
                first = (aggregate, key) not in seen
                seen.add((aggregate, key))
                pending.append(PendingEvent(event_subject(region, aggregate, key), envelope, 0 if first else None))
            await log.append(pending)
            done[0] += len(pending)
            if progress is not None and done[0] // PROGRESS_EVERY > (done[0] - len(pending)) // PROGRESS_EVERY:
                progress(done[0], time.perf_counter() - started)
        except Exception as error:  # noqa: BLE001  (raised once the others are done)
            failed.append(error)
        finally:
            gate.release()

    started = time.perf_counter()
    for unit in history(events, today):
        await gate.acquire()
        count += len(unit.events)
        villages.append(unit.village)
        task = asyncio.create_task(one(unit))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    if failed:
        raise RuntimeError(f"{len(failed)} children's events could not be appended: {failed[0]!r}")
    return Appended(len(villages), count, time.perf_counter() - started, villages)
