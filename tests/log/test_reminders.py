"""The reminder process on a real nats-server: driven by the log, every due reminder raised exactly
once — across a kill in the middle of a tick, a restart, a lost state database, and two instances
at the same moment."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from contracts.activity.reminders import ReminderRule
from services.activity.reminders import process as reminder_process
from services.activity.reminders.process import ReminderProcess
from services.shared.db import make_engine
from services.shared.eventlog import EventLog
from services.shared.unit_of_work import Deps
from tests.log.care_cases import FakeClock, child, log_events, ok, volunteer

RED = ["c3", "c4", "c5", "c6", "c7", "c8"]  # c3 and c4 are paired, the others not


class DyingLog(EventLog):
    """An event log whose process dies right after storing its `after`-th event: the event is in
    the stream, but nothing after the append ran."""

    def __init__(self, nc, after: int) -> None:
        super().__init__(nc)
        self.after, self.appended, self.dead = after, 0, asyncio.Event()

    async def append(self, events):
        seq = await super().append(events)
        self.appended += 1
        if self.appended == self.after:
            self.dead.set()
            await asyncio.sleep(3600)  # cancelled here
        return seq


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(date(2026, 3, 1))


async def programme(deps: Deps, clock: FakeClock) -> None:
    """On 1 March: 8 paired children (birthdays around mid-April and mid-May), 6 red-tier children,
    5 wishes of which one is fulfilled; on 20 March p1 calls c1 and p3 visits c3."""
    for n in range(1, 15):
        await child(deps, f"c{n}", date(2016, 4 if n <= 4 else 5, 10 + n))
    for n in range(1, 9):
        await volunteer(deps, f"v{n}")
        await ok(deps, "form_pair", pair_id=f"p{n}", child_ids=[f"c{n}"], volunteer_ids=[f"v{n}"])
    for child_id in RED:
        await ok(deps, "assess_risk", child_id=child_id, tier="red", reason="情绪低落")
    for n in range(1, 6):
        await ok(deps, "submit_wish", wish_id=f"w{n}", child_id=f"c{n + 8}", item="书包", estimated_cost_yuan=80)
    await ok(deps, "fulfil_wish", wish_id="w1")
    clock.set(date(2026, 3, 20))
    await ok(deps, "log_activity", pair_id="p1", kind="phone_call", held_on="2026-03-20", duration_minutes=20)
    await ok(deps, "log_visit", pair_id="p3", kind="home_visit", visited_on="2026-03-20", duration_minutes=60)


def due_on_10_april() -> set[tuple[str, str]]:
    """Worked out by hand: Haimen's patience is 31 days, red-tier 7, a wish 30; birthdays a week ahead."""
    overdue = {("contact_overdue", f"p{n}") for n in range(1, 9) if n not in (1, 3)}  # since 1 March
    birthdays = {("birthday_coming", c) for c in ("c1", "c2", "c3", "c4")}  # 11 to 14 April
    red = {("red_tier_without_contact", c) for c in RED}
    wishes = {("wish_waiting", f"w{n}") for n in range(2, 6)}
    return overdue | birthdays | red | wishes


async def raised_in_log(event_log: EventLog) -> Counter:
    found = Counter()
    for stored in await log_events(event_log):
        if stored.envelope.event_type == "ReminderRaised":
            event = stored.event
            found[(event.rule.value, event.pair_id if event.rule is ReminderRule.contact_overdue
                   else event.wish_id or event.child_id)] += 1
    return found


async def process(deps: Deps, db_path: Path) -> ReminderProcess:
    reminders = ReminderProcess(deps, make_engine(f"sqlite+aiosqlite:///{db_path}"), interval=0.05)
    await reminders.start()
    return reminders


async def until(condition, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(reminders: ReminderProcess):
    task = asyncio.create_task(reminders.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await reminders.engine.dispose()


async def test_a_restart_in_the_middle_of_a_tick_neither_loses_nor_repeats_a_reminder(
    event_log, keys, nc, clock, tmp_path, monkeypatch,
) -> None:
    monkeypatch.setattr(reminder_process, "PAGE", 3)  # what is watched is read a page at a time
    deps = Deps(log=event_log, keys=keys, clock=clock)
    await programme(deps, clock)
    clock.set(date(2026, 4, 10))
    expected = due_on_10_april()

    dying = DyingLog(nc, after=5)
    first = await process(Deps(log=dying, keys=keys, clock=clock), tmp_path / "reminders.db")
    async with running(first):
        await dying.dead.wait()  # killed with its fifth reminder stored and the rest of the tick undone
    assert sum((await raised_in_log(event_log)).values()) == 5

    second = await process(deps, tmp_path / "reminders.db")  # restarted on the same state
    async with running(second):
        await until(lambda: _count(event_log, len(expected)))
        assert await second.tick() == []  # caught up: nothing is due that is not raised
    assert await raised_in_log(event_log) == Counter(dict.fromkeys(expected, 1))

    # The state database lost: rebuilt from the log, it knows every reminder raised.
    fresh = await process(deps, tmp_path / "fresh.db")
    async with running(fresh):
        await until(lambda: _state_caught_up(fresh, event_log))
        assert await fresh.tick() == []
    assert await raised_in_log(event_log) == Counter(dict.fromkeys(expected, 1))


async def test_two_instances_at_once_raise_each_new_reminder_once(event_log, keys, clock, tmp_path) -> None:
    deps = Deps(log=event_log, keys=keys, clock=clock)
    await programme(deps, clock)
    clock.set(date(2026, 4, 10))
    a, b = await process(deps, tmp_path / "a.db"), await process(deps, tmp_path / "b.db")
    async with running(a), running(b):
        await until(lambda: _count(event_log, len(due_on_10_april())))
        # A month on: p1 and p3 are overdue now, May birthdays near; both instances tick together.
        clock.set(date(2026, 5, 10))
        await ok(deps, "log_activity", pair_id="p2", kind="reading", held_on="2026-05-09", duration_minutes=30)
        later = {("contact_overdue", "p1"), ("contact_overdue", "p3"), ("birthday_coming", "c5"),
                 ("birthday_coming", "c6"), ("birthday_coming", "c7")}  # c8's is on 18 May
        await asyncio.gather(a.tick(), b.tick())
        await until(lambda: _count(event_log, len(due_on_10_april() | later)))
    assert await raised_in_log(event_log) == Counter(dict.fromkeys(due_on_10_april() | later, 1))


async def _count(event_log: EventLog, wanted: int) -> bool:
    return sum((await raised_in_log(event_log)).values()) >= wanted


async def _state_caught_up(reminders: ReminderProcess, event_log: EventLog) -> bool:
    return reminders.follower.position >= await event_log.last_sequence()
