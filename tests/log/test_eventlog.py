"""The event log on a real nats-server: what it promises about storage, order, concurrency, retries
and atomicity. (An in-memory fake would enforce none of the JetStream headers these rely on.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from nats.js.api import StorageType, StreamConfig

from contracts.envelope import Envelope, Event
from contracts.pairing.pairs import ChildJoinedPair, PairFormed, PairMode
from contracts.regions import parse_region
from contracts.subjects import ACCOUNT_EVENTS, ALL_EVENTS, STREAM, event_subject
from services.shared.errors import ConcurrencyConflict
from services.shared.eventlog import follow as follow_module
from services.shared.eventlog import load as eventlog_module
from services.shared.eventlog import BatchRefused, EventLog, MalformedEvent, PendingEvent
from tests.conftest import NATIONAL

REGION = parse_region("440105001101")
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def pending(event: Event, version: int, expected_seq: int | None, event_id: UUID | None = None):
    envelope = Envelope(
        event_id=event_id or uuid4(), event_type=event.type_name(), schema_version=1,
        aggregate_type=event.aggregate_type, aggregate_id=event.aggregate_id, aggregate_version=version,
        occurred_at=NOW, recorded_at=NOW, actor=NATIONAL, region=REGION.code, correlation_id="cmd",
        causation_id="cmd", data=event.model_dump(mode="json"))
    return PendingEvent(event_subject(REGION, event.aggregate_type, event.aggregate_id), envelope, expected_seq)


def joined(child_id: str, pair_id: str = "p1") -> ChildJoinedPair:
    return ChildJoinedPair(child_id=child_id, region=REGION.code, pair_id=pair_id, mode=PairMode.one_to_many)


def formed(pair_id: str, child_id: str) -> PairFormed:
    return PairFormed(pair_id=pair_id, mode=PairMode.one_to_many, region=REGION.code,
                      child_ids=(child_id,), volunteer_ids=("v1",))


async def test_ensure_stream_creates_a_guarded_file_stream_and_is_idempotent(event_log, nc) -> None:
    js = nc.jetstream()
    before = await js.stream_info(STREAM)
    await event_log.ensure_stream()
    after = await js.stream_info(STREAM)
    config = after.config
    assert config.storage == StorageType.FILE
    assert config.subjects == [ALL_EVENTS, ACCOUNT_EVENTS]
    assert (config.deny_delete, config.deny_purge, config.allow_direct, config.allow_atomic) == (
        True, True, True, True)
    assert config.duplicate_window == 600
    assert after.created == before.created and after.config == before.config
    assert [s.config.name for s in await js.streams_info()] == [STREAM]


async def test_ensure_stream_adds_missing_guards_but_refuses_memory_storage(nc) -> None:
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM, subjects=[ALL_EVENTS], storage=StorageType.FILE))
    await EventLog(nc).ensure_stream()
    config = (await js.stream_info(STREAM)).config
    assert config.deny_delete and config.deny_purge and config.allow_direct and config.allow_atomic

    await js.delete_stream(STREAM)
    await js.add_stream(StreamConfig(name=STREAM, subjects=[ALL_EVENTS], storage=StorageType.MEMORY))
    with pytest.raises(RuntimeError, match="needs file storage"):
        await EventLog(nc).ensure_stream()


async def test_load_returns_an_aggregate_history_in_order(event_log) -> None:
    last = 0
    for version, pair_id in enumerate(["p1", "p2", "p3"], start=1):
        last = await event_log.append([pending(joined("c1", pair_id), version, last)])
        await event_log.append([pending(joined("c2", pair_id), version, None)])  # interleaved
    history = await event_log.load("pairing_child", "c1")
    assert [e.envelope.aggregate_version for e in history.events] == [1, 2, 3]
    assert [e.event.pair_id for e in history.events] == ["p1", "p2", "p3"]
    assert [e.seq for e in history.events] == [1, 3, 5]
    assert (history.version, history.last_seq) == (3, 5)
    assert not (await event_log.load("pairing_child", "c9")).exists


async def test_load_pages_through_a_history_longer_than_one_direct_get(event_log) -> None:
    for first in (1, 401, 801):  # 2,400 events in three atomic batches, two aggregates interleaved
        await event_log.append([pending(joined(child, f"p{v}"), v, None)
                                for v in range(first, first + 400) for child in ("c1", "c2")])
    history = await event_log.load("pairing_child", "c1")
    assert [e.envelope.aggregate_version for e in history.events] == list(range(1, 1201))


async def test_a_stale_expected_sequence_is_a_conflict_naming_the_aggregate(event_log) -> None:
    await event_log.append([pending(joined("c1"), 1, 0)])
    with pytest.raises(ConcurrencyConflict, match="child c1 was changed") as conflict:
        await event_log.append([pending(joined("c1", "p2"), 2, 0)])
    assert conflict.value.aggregate == "pairing_child c1"
    assert await event_log.last_sequence() == 1


async def test_the_same_event_appended_twice_within_the_window_is_stored_once(event_log) -> None:
    event = pending(joined("c1"), 1, 0)
    assert await event_log.append([event]) == await event_log.append([event]) == 1
    batch = [pending(formed("p1", "c1"), 1, 0), pending(joined("c1"), 2, 1)]
    first = await event_log.append(batch)
    await event_log.append(batch)  # an atomic batch with known ids is refused, then recognised
    assert await event_log.last_sequence() == first == 3


async def test_a_retried_batch_returns_the_same_sequence(event_log) -> None:
    batch = [pending(formed("p1", "c1"), 1, 0), pending(joined("c1"), 1, 0)]
    assert await event_log.append(batch) == await event_log.append(batch)


async def test_a_retry_after_the_duplicate_window_is_recognised_not_stored(event_log, nc) -> None:
    # Shrink the window so the retry reaches the expected-sequence check, as after 10 minutes.
    js = nc.jetstream()
    config = (await js.stream_info(STREAM)).config
    config.duplicate_window = 0.3
    await js.update_stream(config)
    event = pending(joined("c1"), 1, 0)
    seq = await event_log.append([event])
    await asyncio.sleep(1.0)
    assert await event_log.append([event]) == seq
    assert await event_log.last_sequence() == seq


async def test_a_batch_with_one_stale_expectation_stores_none_of_its_events(event_log) -> None:
    await event_log.append([pending(joined("c1"), 1, 0)])
    await event_log.append([pending(joined("c1", "p0"), 2, 1)])
    stale = [pending(formed("p1", "c1"), 1, 0), pending(joined("c1", "p1"), 3, 1)]  # c1 is at 2
    with pytest.raises(ConcurrencyConflict, match="child c1"):
        await event_log.append(stale)
    assert await event_log.last_sequence() == 2
    assert not (await event_log.load("pair", "p1")).exists


async def test_events_of_many_commands_are_stored_together_or_not_at_all(event_log) -> None:
    await event_log.append([pending(joined("c2"), 1, 0)])
    together = [pending(joined(f"c{n}"), 1, 0) for n in (1, 3, 4)]
    assert await event_log.append_together(together) == 4
    refused = [pending(joined("c5"), 1, 0), pending(joined("c2", "p9"), 2, 0), pending(joined("c6"), 1, 0)]
    with pytest.raises(BatchRefused, match="wrong last sequence"):  # c2 is at 1, not 0
        await event_log.append_together(refused)
    assert await event_log.last_sequence() == 4
    assert not (await event_log.load("pairing_child", "c5")).exists and not (await event_log.load("pairing_child", "c6")).exists
    with pytest.raises(ValueError, match="1 to 1000 events"):
        await event_log.append_together([pending(joined(f"x{n}"), 1, 0) for n in range(1001)])


async def test_subjects_of_tells_which_aggregates_exist_and_where(event_log, nc, monkeypatch) -> None:
    elsewhere = parse_region("510623100004")
    for number in range(1, 4):
        await event_log.append([pending(joined(f"c{number}"), 1, 0)])
    moved = pending(joined("c1", "p2"), 2, 0)  # c1 continues under another region's subject
    moved = PendingEvent(event_subject(elsewhere, "pairing_child", "c1"), moved.envelope, 0)
    await event_log.append([moved])
    fresh = EventLog(nc)  # another process: no subjects remembered
    ids = ["c1", "c2", "missing", "c3", "c2"]
    found = await fresh.subjects_of("pairing_child", ids)
    assert found == {"c1": [event_subject(REGION, "pairing_child", "c1"), event_subject(elsewhere, "pairing_child", "c1")],
                     "c2": [event_subject(REGION, "pairing_child", "c2")], "c3": [event_subject(REGION, "pairing_child", "c3")]}
    assert [e.seq for e in (await fresh.load("pairing_child", "c1")).events] == [1, 4]
    # An answer too small for every subject found: each id of that chunk is looked up on its own.
    monkeypatch.setattr(eventlog_module, "EXISTENCE_ANSWER", 1)
    assert await EventLog(nc).subjects_of("pairing_child", ids) == found
    assert await EventLog(nc).subjects_of("pairing_child", []) == {}


async def test_read_follows_the_log_from_a_position(event_log) -> None:
    for number in range(1, 6):
        await event_log.append([pending(joined(f"c{number}"), 1, 0)])
    assert [e.seq async for e in event_log.read(3, until_seq=5)] == [3, 4, 5]
    only_c4 = event_log.read(1, "aixin.evt.44.>", until_seq=4)
    assert [e.envelope.aggregate_id async for e in only_c4] == ["c1", "c2", "c3", "c4"]


async def test_a_malformed_message_is_reported_by_sequence_and_spares_other_aggregates(event_log, nc) -> None:
    await event_log.append([pending(joined("c1"), 1, 0)])
    junk_subject = event_subject(REGION, "pairing_child", "junk")
    junk = (await nc.jetstream().publish(junk_subject, b"not an event", stream=STREAM)).seq
    await event_log.append([pending(joined("c2"), 1, 0)])

    with pytest.raises(MalformedEvent, match=f"stream sequence {junk} on {junk_subject}") as bad:
        [e async for e in event_log.read(1, until_seq=3)]
    assert bad.value.seq == junk
    assert [e.seq for e in (await event_log.load("pairing_child", "c1")).events] == [1]
    assert [e.seq for e in (await event_log.load("pairing_child", "c2")).events] == [3]


async def read_slowly(event_log, nc, count: int, pause: float) -> tuple[list[int], list[int]]:
    """Append `count` events at once, then read them in batches of 50 with a pause after each:
    (the sequences handed to the reader, those appended)."""
    first = await event_log.last_sequence() + 1
    js = nc.jetstream()
    await asyncio.gather(*(js.publish(event_subject(REGION, "pairing_child", f"slow{first + i}"), b"{}", stream=STREAM)
                           for i in range(count)))
    last = await event_log.last_sequence()
    seen: list[int] = []
    async for batch in event_log.batches(first, max_batch=50, until_seq=last):
        seen += [m.seq for m in batch]
        await asyncio.sleep(pause)
    return seen, list(range(first, last + 1))


async def test_a_reader_slower_than_the_log_is_handed_every_event_once_in_order(event_log, nc) -> None:
    """The log runs far ahead of a reader that dawdles over each batch (within its read-ahead)."""
    seen, appended = await read_slowly(event_log, nc, 2000, 0.002)
    assert seen == appended


async def test_a_reader_whose_client_dropped_messages_follows_again_from_the_last_it_was_handed(
        event_log, nc, monkeypatch) -> None:
    """With a small read-ahead the client drops what arrives beyond it (a slow consumer) after it has
    counted the message as delivered: the reader notices the hole in the consumer's deliveries and
    follows again from the last message it was handed, so none is skipped or handed twice."""
    monkeypatch.setattr(follow_module, "READ_AHEAD_MESSAGES", 8)
    monkeypatch.setattr(follow_module, "client_queue", lambda read_ahead: 3)  # the server sends 8
    monkeypatch.setattr(follow_module, "IDLE_CHECK_SECONDS", 0.2)
    again = count_following_again(monkeypatch)
    seen, appended = await read_slowly(event_log, nc, 400, 0.01)
    assert seen == appended
    assert again


async def test_the_server_sends_a_reader_far_behind_only_its_read_ahead_and_nothing_twice(
        event_log, nc, monkeypatch) -> None:
    monkeypatch.setattr(follow_module, "READ_AHEAD_MESSAGES", 40)
    queued = []
    next_of = follow_module._InOrder.next

    async def watched(self):
        queued.append(self.pending)  # received, not yet handed out
        return await next_of(self)
    monkeypatch.setattr(follow_module._InOrder, "next", watched)
    again = count_following_again(monkeypatch)
    seen, appended = await read_slowly(event_log, nc, 1500, 0.005)
    assert seen == appended
    assert not again and max(queued) <= 40


def count_following_again(monkeypatch) -> list[int]:
    """Each time a reader follows again, the stream sequence it follows from."""
    times = []
    again = follow_module._InOrder._again

    async def counted(self):
        times.append(self.last_seq + 1)
        await again(self)
    monkeypatch.setattr(follow_module._InOrder, "_again", counted)
    return times


async def test_commands_appended_together_share_a_batch_and_each_gets_its_own_last_sequence(
        event_log, monkeypatch) -> None:
    writes = []
    publish_batch = event_log._publish_batch_when_open

    async def counted(events):
        writes.append(len(events))
        return await publish_batch(events)
    monkeypatch.setattr(event_log, "_publish_batch_when_open", counted)
    commands = [[pending(formed(f"p{n}", f"c{n}"), 1, 0), pending(joined(f"c{n}", f"p{n}"), 1, 0)]
                for n in range(40)] + [[pending(joined(f"lone{n}"), 1, 0)] for n in range(40)]
    sequences = await asyncio.gather(*(event_log.append(events) for events in commands))
    assert await event_log.last_sequence() == 120
    assert len(writes) < 20 and sum(writes) == 120  # 80 commands in a few atomic batches, not 80 writes
    for events, seq in zip(commands, sequences, strict=True):
        last = events[-1].envelope
        stored = (await event_log.load(last.aggregate_type, last.aggregate_id)).events
        assert [e.seq for e in stored][-1] == seq and stored[-1].envelope.event_id == last.event_id


async def test_in_a_shared_batch_a_conflict_or_a_retry_concerns_only_its_own_command(event_log) -> None:
    await event_log.append([pending(joined("c1"), 1, 0)])
    retried = pending(joined("c2"), 1, 0)
    first = await event_log.append([retried])
    # Three at once: a stale one (c1 is at 1, not 0), a retry of c2's, and a new one.
    stale, fresh = pending(joined("c1", "p2"), 2, 0), pending(joined("c3"), 1, 0)
    outcomes = await asyncio.gather(event_log.append([stale]), event_log.append([retried]),
                                    event_log.append([fresh]), return_exceptions=True)
    assert isinstance(outcomes[0], ConcurrencyConflict) and "child c1" in str(outcomes[0])
    assert outcomes[1] == first
    assert outcomes[2] == 3 == await event_log.last_sequence()


async def test_two_commands_on_one_aggregate_at_once_are_both_checked(event_log) -> None:
    """Put in one batch, the second's expectation would not be checked: one of them must lose."""
    await event_log.append([pending(joined("c1"), 1, 0)])
    rivals = [pending(joined("c1", f"p{n}"), 2, 1) for n in range(2, 6)] + [
        pending(joined(f"other{n}"), 1, 0) for n in range(4)]
    outcomes = await asyncio.gather(*(event_log.append([r]) for r in rivals), return_exceptions=True)
    assert sum(isinstance(o, ConcurrencyConflict) for o in outcomes[:4]) == 3
    assert all(isinstance(o, int) for o in outcomes[4:])
    assert len((await event_log.load("pairing_child", "c1")).events) == 2


async def test_a_reader_goes_on_after_the_server_restarts(event_log, nats_server, monkeypatch) -> None:
    """The server forgets a reader's consumer when it restarts: the reader makes another and goes
    on from the last event it was handed."""
    monkeypatch.setattr(follow_module, "IDLE_CHECK_SECONDS", 0.2)
    for number in range(1, 4):
        await event_log.append([pending(joined(f"c{number}"), 1, 0)])
    reading = event_log.read(1, until_seq=6)
    seen = [(await anext(reading)).seq for _ in range(3)]
    nats_server.stop()
    nats_server.start()  # the same store and port: the stream is kept, the consumer is not
    for number in range(4, 7):
        await asyncio.wait_for(_append_when_connected(event_log, pending(joined(f"c{number}"), 1, 0)), 30)
    seen += [e.seq async for e in _within(reading, 30)]
    assert seen == [1, 2, 3, 4, 5, 6]


async def _append_when_connected(event_log, event) -> int:
    while True:
        try:
            return await event_log.append([event])
        except Exception:  # noqa: BLE001  (the client is still reconnecting)
            await asyncio.sleep(0.2)


async def _within(reading, seconds: float):
    while True:
        try:
            yield await asyncio.wait_for(anext(reading), seconds)
        except StopAsyncIteration:
            return
