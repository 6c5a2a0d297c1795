"""Helpers for the care tests: a settable clock, commands through the real endpoints, and Haimen's
"five ones" for a month worked out straight from the log — without the read model or the rules
module — so that the compliance answer can be checked against the activities logged."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.activity.app import ROUTES as ACTIVITY
from services.intake.app import ROUTES as INTAKE
from services.pairing.app import ROUTES as PAIRING
from services.shared.endpoints import execute
from services.shared.eventlog import EventLog, StoredEvent
from tests.conftest import NATIONAL

ROUTES = {**INTAKE, **PAIRING, **ACTIVITY}
REGION = "440105001101"


class FakeClock:
    def __init__(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)

    def set(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def ok(deps, command: str, /, **fields: Any) -> dict[str, Any]:
    model, handler = ROUTES[command]
    body = json.dumps({"actor": NATIONAL.model_dump(mode="json"), **fields}, default=str).encode()
    reply = await execute(deps, model, handler, body)
    assert reply.ok, (command, fields, reply.error)
    return reply.result


async def child(deps, child_id: str, born: date, region: str = REGION, on: str | date | None = None) -> None:
    """`on`: the day she was registered; default: the clock's day."""
    await ok(deps, "register_child", child_id=child_id, region=region, name="李小花", sex="female",
             birth_date=born, category="left_behind", **({"registered_on": on} if on else {}))
    await ok(deps, "record_consent", child_id=child_id, relation="grandparent", given_by="李大山",
             scopes=["pairing"], given_on="2025-12-01")


async def volunteer(deps, volunteer_id: str, capacity: int = 1, region: str = REGION,
                    on: str | date | None = None) -> None:
    """`on`: the day she was recruited; default: the clock's day."""
    await ok(deps, "recruit_volunteer", volunteer_id=volunteer_id, region=region, name="王芳",
             sex="female", kind="mother", capacity=capacity, **({"recruited_on": on} if on else {}))
    await ok(deps, "record_training", topic="minors_protection_law", held_on="2025-12-02",
             volunteer_ids=[volunteer_id])


async def log_events(event_log: EventLog) -> list[StoredEvent]:
    last = await event_log.last_sequence()
    return [e async for e in event_log.read(1, until_seq=last)]


def haimen_from_log(events: list[StoredEvent], month_start: date, month_end: date) -> dict[str, dict]:
    """Per pair active in the month: rule -> (status, count); birthday and wish per child."""
    pairs, acts, wishes, births = {}, defaultdict(list), defaultdict(list), {}
    for stored in events:
        e, data = stored.envelope, stored.envelope.data
        day = e.occurred_at.date()
        if e.event_type == "ChildRegistered":
            births[data["child_id"]] = date.fromisoformat(data["birth_date"])
        elif e.event_type == "PairFormed":
            formed = date.fromisoformat(data["formed_on"]) if data.get("formed_on") else day
            pairs[data["pair_id"]] = {"children": data["child_ids"], "volunteers": data["volunteer_ids"],
                                      "formed": formed, "ended": None}
        elif e.event_type == "PairEnded":
            pairs[data["pair_id"]]["ended"] = day
        elif e.event_type in ("VisitLogged", "ActivityLogged"):
            held = date.fromisoformat(data.get("held_on") or data["visited_on"])
            acts[data["pair_id"]].append((data["kind"], held, set(data["child_ids"])))
        elif e.event_type == "StationActivityLogged":
            held = date.fromisoformat(data["held_on"])
            for pair_id, p in pairs.items():
                kids = set(p["children"]) & set(data["child_ids"])
                if p["ended"] is None and kids and set(p["volunteers"]) & set(data["volunteer_ids"]):
                    acts[pair_id].append((data["kind"], held, kids))
        elif e.event_type == "WishFulfilled":
            wishes[data["child_id"]].append(day)
    year_start = date(month_start.year, 1, 1)
    expected = {}
    for pair_id, p in pairs.items():
        started = min([p["formed"], *(held for _, held, _ in acts[pair_id])])
        if started > month_end or (p["ended"] and p["ended"] < month_start):
            continue

        def count(kind: str, since: date, child: str | None = None) -> int:
            return sum(1 for k, held, kids in acts[pair_id]
                       if k == kind and since <= held <= month_end and kids and (child is None or child in kids))

        calls = count("phone_call", month_start)
        due = started <= month_start + timedelta(days=15)
        rules = {"monthly_call": ("met" if calls else "missed" if due else "not_due", calls)}
        for kind in ("reading", "holiday_activity"):
            n = count(kind, year_start)
            rules[kind] = ("met" if n else "open", n)
        for c in p["children"]:
            birthday = births[c].replace(year=month_start.year) if (births[c].month, births[c].day) != (2, 29) \
                else date(month_start.year, 2, 28)
            n = sum(1 for k, held, kids in acts[pair_id] if k == "birthday" and c in kids
                    and birthday - timedelta(days=7) <= held <= min(birthday + timedelta(days=7), month_end))
            over = birthday + timedelta(days=7) <= month_end
            # Paired after the birthday itself: less than half its fortnight with the pair, not due.
            rules[f"birthday/{c}"] = ("met" if n else "not_due" if started > birthday else "missed" if over else "open", n)
            w = sum(1 for d in wishes[c] if year_start <= d <= month_end)
            rules[f"wish/{c}"] = ("met" if w else "open", w)
        expected[pair_id] = rules
    return expected


def haimen_from_answer(answer: dict) -> dict[str, dict]:
    found = {}
    for pair in answer["pairs"]:
        rules = {}
        for rule in pair["rules"]:
            if rule["rule"] in ("birthday", "wish"):
                for w in rule["windows"]:
                    rules[f"{rule['rule']}/{w['child_id']}"] = (w["status"], w["count"])
            else:
                rules[rule["rule"]] = (rule["status"], rule["count"])
        found[pair["pair_id"]] = rules
    return found
