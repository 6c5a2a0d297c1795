"""An event log reads an aggregate it already knows by its literal subjects (cheap whatever the
stream's size) and still finds a move made through another process, by `continues_on`."""

from __future__ import annotations

import nats

from contracts.subjects import event_subject
from contracts.regions import parse_region
from services.shared.eventlog import EventLog
from services.shared.unit_of_work import Deps
from tests.log.test_commands import ok, pairable_child

NEW = "510623100004"


async def test_a_move_through_another_process_is_followed(nats_server, deps: Deps) -> None:
    child_id = await pairable_child(deps)
    before = await deps.log.load("child", child_id)  # this process now knows the old subject only

    other_nc = await nats.connect(nats_server.url)
    try:
        other = Deps(log=EventLog(other_nc), keys=deps.keys, clock=deps.clock)
        await ok(other, "transfer_child", child_id=child_id, to_region=NEW)
        await ok(other, "survey_needs", child_id=child_id, needs=["family_affection"], surveyed_on="2026-05-31")
    finally:
        await other_nc.close()

    after = await deps.log.load("child", child_id)
    assert [e.envelope.event_type for e in after.events][len(before.events):] == [
        "ChildTransferredOut", "ChildTransferredIn", "ChildNeedsSurveyed"]
    moved_out = after.events[len(before.events)]
    assert moved_out.envelope.continues_on == event_subject(parse_region(NEW), "child", child_id)
    assert after.subject == moved_out.envelope.continues_on


async def test_a_fresh_log_finds_the_whole_history_by_its_id(nats_server, deps: Deps) -> None:
    child_id = await pairable_child(deps)
    await ok(deps, "transfer_child", child_id=child_id, to_region=NEW)
    fresh_nc = await nats.connect(nats_server.url)
    try:
        history = await EventLog(fresh_nc).load("child", child_id)
    finally:
        await fresh_nc.close()
    assert [e.envelope.aggregate_version for e in history.events] == list(range(1, len(history.events) + 1))
    assert history.events[-1].envelope.event_type == "ChildTransferredIn"


async def test_one_id_cannot_be_started_in_two_regions_at_once(deps: Deps) -> None:
    """Each region is its own subject, so only the check over the id's every subject
    (Nats-Expected-Last-Subject-Sequence-Subject) keeps two registrations from both succeeding."""
    import asyncio

    from tests.log.test_commands import CHILD, send

    regions = ["440105001101", NEW] * 10
    replies = await asyncio.gather(*(
        send(deps, "register_child", **{**CHILD, "child_id": "same-child", "region": region})
        for region in regions))
    assert sum(reply.ok for reply in replies) == 1
    history = await deps.log.load("child", "same-child")
    assert [e.envelope.event_type for e in history.events] == ["ChildRegistered"]
