"""The log of `aixin bench --scale` at a tiny size (the bench itself takes minutes and is never run
here): its registrations are appended through the event log as the product appends, so each stands
on its child's subject under its event id, loads as the child's history, and appending the same log
again stores nothing twice."""

from __future__ import annotations

from contracts.regions import parse_region
from contracts.subjects import STREAM, event_subject
from services.shared.eventlog import EventLog
from tooling.bench.queries import placed
from tooling.bench.scale import append_registrations

CHILDREN = 300


async def test_the_scale_bench_appends_its_log_through_the_event_log(nc, event_log: EventLog) -> None:
    await append_registrations(nc, CHILDREN)
    assert await event_log.last_sequence() == CHILDREN

    history = await event_log.load("child", "bench-7")
    assert [e.envelope.event_type for e in history.events] == ["ChildRegistered"]
    stored = history.events[0]
    assert stored.subject == event_subject(parse_region(placed(CHILDREN)[6]), "child", "bench-7")
    message = await nc.jetstream().get_msg(STREAM, stored.seq)
    assert message.headers["Nats-Msg-Id"] == str(stored.envelope.event_id)

    await append_registrations(nc, CHILDREN)  # the same log again: every registration is recognised as stored
    assert await event_log.last_sequence() == CHILDREN
