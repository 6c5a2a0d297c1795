"""The work lists (services/projections/work_queues.py) from real events on a real nats-server:
reminders raised by the reminder process stay open until what the log says next resolves them,
overdue contacts follow the cadence, and unpaired children at risk come red first, the longest
registered first. Applying the same events again changes nothing."""

from __future__ import annotations

from datetime import date

from contracts.regions import parse_region
from services.activity.reminders.process import ReminderProcess
from services.projections.work_queues import WorkQueues, open_reminders, overdue_contacts, unpaired_at_risk
from services.shared.db import make_engine
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps
from tests.log.care_cases import FakeClock, ok
from tests.log.projection_cases import catch_up, running, snapshot
from tests.log.test_reminders import _state_caught_up, due_on_10_april, programme, until
from tests.log.test_reminders import running as process_running

APRIL_10 = date(2026, 4, 10)
STREET, ELSEWHERE = parse_region("440105001"), parse_region("51")


def _subjects(reminders: list[dict]) -> set[tuple[str, str]]:
    return {(r["rule"], r["pair_id"] if r["rule"] == "contact_overdue" else r["wish_id"] or r["child_id"])
            for r in reminders}


async def test_work_lists_follow_the_log(event_log, keys, tmp_path) -> None:
    clock = FakeClock(date(2026, 3, 1))
    deps = Deps(log=event_log, keys=keys, clock=clock)
    await programme(deps, clock)  # 14 children, p1…p8 with c1…c8, c3…c8 red, wishes w1…w5 (w1 fulfilled)
    for child_id, tier in (("c10", "red"), ("c9", "orange"), ("c11", "red"), ("c12", "yellow"), ("c13", "red")):
        await ok(deps, "assess_risk", child_id=child_id, tier=tier, reason="家访发现")
    clock.set(APRIL_10)
    reminders = ReminderProcess(deps, make_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"), interval=3600)
    await reminders.start()
    async with process_running(reminders):  # follows the log, then raises what is due on 10 April
        await until(lambda: _state_caught_up(reminders, event_log))
        await reminders.tick()

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, engine, [WorkQueues()])
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
        async with engine.connect() as conn:
            extra_red = {("red_tier_without_contact", c) for c in ("c10", "c11", "c13")}
            assert _subjects(await open_reminders(conn, STREET, APRIL_10)) == due_on_10_april() | extra_red
            assert await open_reminders(conn, ELSEWHERE, APRIL_10) == []

        # What resolves each cause: a contact with the pair or the child, a tier other than red,
        # a wish fulfilled or cancelled, a pair ended.
        await ok(deps, "log_activity", pair_id="p2", kind="phone_call", held_on="2026-04-10", duration_minutes=15)
        await ok(deps, "log_visit", pair_id="p4", kind="home_visit", visited_on="2026-04-10", duration_minutes=60)
        await ok(deps, "assess_risk", child_id="c6", tier="orange", reason="好转")
        await ok(deps, "fulfil_wish", wish_id="w2")
        await ok(deps, "cancel_wish", wish_id="w3", reason="no_longer_needed")
        await ok(deps, "end_pair", pair_id="p5", reason="moved")
        await ok(deps, "exit_child", child_id="c13", reason="parents_returned", exited_on="2026-04-10")
        await catch_up(projector, event_log)

    async with engine.connect() as conn:
        still_open = await open_reminders(conn, STREET, APRIL_10)
        overdue = await overdue_contacts(conn, STREET, APRIL_10, lambda region: 31)  # Haimen's patience
        total, at_risk = await unpaired_at_risk(conn, STREET, limit=3, offset=0)
        _, rest = await unpaired_at_risk(conn, STREET, limit=10, offset=3)
        # Birthdays stay open until the day has passed.
        assert await open_reminders(conn, STREET, date(2026, 4, 30)) != []
        assert not {r["rule"] for r in await open_reminders(conn, STREET, date(2026, 4, 30))} & {"birthday_coming"}
    assert _subjects(still_open) == {
        ("contact_overdue", "p6"), ("contact_overdue", "p7"), ("contact_overdue", "p8"),
        *(("birthday_coming", c) for c in ("c1", "c2", "c3", "c4")),
        *(("red_tier_without_contact", c) for c in ("c3", "c5", "c7", "c8", "c10", "c11")),  # c13 left
        ("wish_waiting", "w4"),  # w5 was c13's, who left the programme
    }
    assert [(p["pair_id"], p["days_overdue"]) for p in overdue] == [("p6", 9), ("p7", 9), ("p8", 9)]
    assert overdue[0]["child_ids"] == ["c6"] and overdue[0]["last_contact"] is None
    # c5 lost its pair: red, registered first. Then c10 and c11 (red), c9 (orange), c12 (yellow); c13 left.
    assert total == 5
    assert [(c["child_id"], c["tier"]) for c in at_risk + rest] == [
        ("c5", "red"), ("c10", "red"), ("c11", "red"), ("c9", "orange"), ("c12", "yellow")]

    before, last = await snapshot(engine), await event_log.last_sequence()
    async for batch in event_log.batches(1, max_batch=5, until_seq=last):  # as after a crash: again
        await projector._apply_batch(batch)
    assert await snapshot(engine) == before
    await engine.dispose()
