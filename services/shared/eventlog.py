"""The event log: the only module that stores events in, and reads them from, JetStream.

- `ensure_stream` creates the stream or verifies an existing one (file storage, duplicate window,
  no delete, no purge, direct get, atomic batches).
- `append` writes the events of one command: one event with a plain publish, several in one atomic
  batch, so no reader can observe half of them. Each event carries `Nats-Msg-Id` (its event id) and
  the expected last sequence of its aggregate's subject: a concurrent writer gets
  `ConcurrencyConflict`, a retried command is recognised and not stored twice.
- `load` reads one aggregate's history in order; `subjects_of` tells, for many aggregates in one
  request, which exist and on which subjects; `read` follows the log from a stream position.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from uuid import uuid4

from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig, DeliverPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, NotFoundError
from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.subjects import ALL_EVENTS, STREAM, history_filter
from services.shared.errors import ConcurrencyConflict

DUPLICATE_WINDOW_SECONDS = 600.0
WRONG_LAST_SEQUENCE = 10071
BATCH_DUPLICATE_MSG_ID = 10201
BATCH_TOO_MANY_INFLIGHT = 10210
# The server refuses (429) an atomic batch beyond 50 open ones per stream: one process stays below
# that, and a batch refused because other processes filled the stream is retried.
MAX_OPEN_BATCHES = 32
BATCH_START_ATTEMPTS = 6
READ_AHEAD_MESSAGES = 100_000
DIRECT_BATCH = 500
# The server stores at most 1000 messages in one atomic batch.
MAX_BATCH_EVENTS = 1000
# Aggregates asked about in one multi-last direct get, and the subjects its answer may hold: an
# aggregate has one subject per region it has been in, so a full answer means some moved often.
EXISTENCE_CHUNK = 250
EXISTENCE_ANSWER = 1000
SUBJECT_CACHE_SIZE = 200_000
READ_AHEAD_BYTES = 256 * 1024 * 1024


class MalformedEvent(ValueError):
    def __init__(self, seq: int, subject: str, reason: str) -> None:
        super().__init__(f"stream sequence {seq} on {subject} is not an aixin event: {reason}")
        self.seq, self.subject, self.reason = seq, subject, reason


class BatchRefused(RuntimeError):
    def __init__(self, err_code: int | None, description: str) -> None:
        super().__init__(f"the server refused the batch ({err_code}): {description}")
        self.err_code = err_code


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    subject: str
    envelope: Envelope


@dataclass(frozen=True, slots=True)
class RawMessage:
    seq: int
    subject: str
    data: bytes

    def decode(self) -> StoredEvent:
        return decode(self.seq, self.subject, self.data)


@dataclass(frozen=True)
class PendingEvent:
    """An event to append on `subject`, whose last stored sequence must be `expected_seq` (0: none;
    None: not checked, for an aggregate's later events within one batch)."""

    subject: str
    envelope: Envelope
    expected_seq: int | None
    # For a new aggregate: check the expectation over every subject its history could be on, so the
    # same id cannot be started in two regions at once.
    expected_over: str | None = None


@dataclass
class History:
    aggregate: str
    events: list[StoredEvent] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return bool(self.events)

    @property
    def subject(self) -> str | None:
        return self.events[-1].subject if self.events else None

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def last_seq_on(self, subject: str) -> int:
        """The sequence of the aggregate's last event on `subject` (0: none there yet)."""
        return next((e.seq for e in reversed(self.events) if e.subject == subject), 0)

    @property
    def version(self) -> int:
        return self.events[-1].envelope.aggregate_version if self.events else 0

    def envelopes(self) -> list[Envelope]:
        return [stored.envelope for stored in self.events]


def stream_config(replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=STREAM,
        subjects=[ALL_EVENTS],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
        allow_atomic=True,
    )


def decode(seq: int, subject: str, data: bytes) -> StoredEvent:
    try:
        return StoredEvent(seq, subject, Envelope.model_validate_json(data))
    except ValidationError as error:
        raise MalformedEvent(seq, subject, describe(error)) from None


def describe(error: ValidationError) -> str:
    """What is wrong and where, e.g. 'Envelope: actor: Field required; region: Field required'."""
    parts = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors()[:5]]
    more = error.error_count() - len(parts)
    return f"{error.title}: " + "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


class EventLog:
    def __init__(self, nc: NATS, replicas: int = 1) -> None:
        self._nc = nc
        self._js = nc.jetstream()
        self._replicas = replicas
        self._open_batches = asyncio.Semaphore(MAX_OPEN_BATCHES)
        self._subjects: dict[tuple[str, str], list[str]] = {}  # aggregate -> subjects it uses

    async def ensure_stream(self) -> None:
        wanted = stream_config(self._replicas)
        try:
            info = await self._js.stream_info(STREAM)
        except NotFoundError:
            await self._js.add_stream(wanted)
            return
        have = info.config
        if have.storage != StorageType.FILE or have.subjects != wanted.subjects:
            raise RuntimeError(
                f"stream {STREAM} exists with storage {have.storage} and subjects {have.subjects}; "
                f"aixin needs file storage on {wanted.subjects}"
            )
        if not (have.deny_delete and have.deny_purge and have.allow_direct and have.allow_atomic):
            await self._js.update_stream(wanted)

    async def append(self, events: Sequence[PendingEvent]) -> int:
        """Store the events of one command; returns the stream sequence of the last one."""
        if not events:
            raise ValueError("append needs at least one event")
        self._remember_subjects_of(events)
        try:
            if len(events) == 1:
                return await self._publish_one(events[0])
            return await self._publish_batch_when_open(events)
        except APIError as error:
            if error.err_code in (WRONG_LAST_SEQUENCE, BATCH_DUPLICATE_MSG_ID):
                # A command retried after the duplicate window finds its own events in place.
                return await self._already_stored(events, error.description or "")
            raise

    async def append_together(self, events: Sequence[PendingEvent]) -> int:
        """Store the events of several commands (a bulk import's rows) in one atomic batch: one
        round trip and one write to disk for all of them. All or none are stored; a refusal, for
        whatever reason, raises `BatchRefused`, and the caller appends the commands one by one,
        where a conflict and a retry are told apart exactly."""
        if not 0 < len(events) <= MAX_BATCH_EVENTS:
            raise ValueError(f"an atomic batch holds 1 to {MAX_BATCH_EVENTS} events, not {len(events)}")
        self._remember_subjects_of(events)
        try:
            return await self._publish_batch_when_open(events)
        except APIError as error:
            raise BatchRefused(error.err_code, error.description or "") from error

    async def _publish_one(self, event: PendingEvent) -> int:
        ack = await self._js.publish(
            event.subject, _body(event), headers=_headers(event), stream=STREAM, timeout=10
        )
        return ack.seq

    async def _publish_batch_when_open(self, events: Sequence[PendingEvent]) -> int:
        async with self._open_batches:
            for attempt in range(BATCH_START_ATTEMPTS):
                try:
                    return await self._publish_batch(events)
                except APIError as error:  # refused at its start: nothing of it was stored
                    if error.err_code != BATCH_TOO_MANY_INFLIGHT or attempt == BATCH_START_ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(random.uniform(0, 0.02 * 2**attempt))
        raise AssertionError("unreachable")

    async def _publish_batch(self, events: Sequence[PendingEvent]) -> int:
        batch_id = uuid4().hex
        last = len(events)
        for number, event in enumerate(events, start=1):
            headers = {**_headers(event), "Nats-Batch-Id": batch_id, "Nats-Batch-Sequence": str(number)}
            if number == last:
                headers["Nats-Batch-Commit"] = "1"
            if number in (1, last):
                # The first message opens the batch (the server answers with an empty reply);
                # the commit is answered with the publish ack or the reason the batch was refused.
                reply = await self._nc.request(event.subject, _body(event), headers=headers, timeout=10)
                if number == last:
                    return _batch_ack(reply.data)
                if reply.data:  # the batch was refused at its start; its later messages would be dropped
                    _batch_ack(reply.data)
            else:
                await self._nc.publish(event.subject, _body(event), headers=headers)
        raise AssertionError("unreachable")

    async def _already_stored(self, events: Sequence[PendingEvent], why: str) -> int:
        """A refused append is a retry if its events are stored already, else a real conflict."""
        first, last = events[0].envelope, events[-1].envelope
        history = await self.load(first.aggregate_type, first.aggregate_id)
        if first.event_id not in {e.envelope.event_id for e in history.events}:
            raise ConcurrencyConflict(_aggregates(events), why)
        if last.aggregate_id != first.aggregate_id:
            history = await self.load(last.aggregate_type, last.aggregate_id)
        return next(e.seq for e in history.events if e.envelope.event_id == last.event_id)

    async def load(self, aggregate_type: str, aggregate_id: str) -> History:
        """One aggregate's events in stream order, across every region it has belonged to.

        Uses batched direct get (server 2.11+): no consumer is created. The first load of an
        aggregate in this process matches its id under any region (a wildcard filter, whose cost
        grows with the stream); later loads read the subjects it is known to use, literally, and
        follow `continues_on` to a subject it moved on to since (perhaps through another process).
        """
        key = (aggregate_type, aggregate_id)
        history = History(f"{aggregate_type} {aggregate_id}")
        known = self._subjects.get(key)
        if known is None:
            history.events = await self._matching(history_filter(aggregate_type, aggregate_id))
        else:
            for subject in known:
                history.events.extend(await self._matching(subject))
            history.events.sort(key=lambda e: e.seq)
            while history.events and (onward := history.events[-1].envelope.continues_on) \
                    and onward not in {e.subject for e in history.events}:
                history.events.extend(await self._matching(onward))
        if history.events:
            self._remember(key, [e.subject for e in history.events])
        return history

    async def subjects_of(self, aggregate_type: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """For many aggregates at once: the subjects each existing one has events on (the ids
        missing from the answer have no events). One multi-last direct get per 250 ids: the server
        looks the ids up in its subject index instead of scanning for each id's first event, and
        the subjects found are remembered, so that loading those histories reads them literally."""
        found: dict[str, list[str]] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), EXISTENCE_CHUNK):
            chunk = unique[start:start + EXISTENCE_CHUNK]
            last = await self._last_of_each([history_filter(aggregate_type, i) for i in chunk])
            if last is None:  # more subjects than one answer holds: ask about each id on its own
                for aggregate_id in chunk:
                    if (history := await self.load(aggregate_type, aggregate_id)).exists:
                        found[aggregate_id] = list(dict.fromkeys(e.subject for e in history.events))
                continue
            for subject in last:
                found.setdefault(subject.rsplit(".", 1)[-1], []).append(subject)
        for aggregate_id, subjects in found.items():
            self._remember((aggregate_type, aggregate_id), subjects)
        return found

    async def _last_of_each(self, filters: list[str]) -> list[str] | None:
        """The subjects that have messages matching `filters` (None: more than one answer holds)."""
        answer, pending = await self._direct_get({"multi_last": filters, "batch": EXISTENCE_ANSWER},
                                                 f"the last messages of {len(filters)} filters")
        return None if pending else [msg.headers["Nats-Subject"] for msg in answer]

    def _remember_subjects_of(self, events: Sequence[PendingEvent]) -> None:
        for event in events:
            self._remember((event.envelope.aggregate_type, event.envelope.aggregate_id), [event.subject])

    def _remember(self, key: tuple[str, str], subjects: list[str]) -> None:
        if len(self._subjects) >= SUBJECT_CACHE_SIZE and key not in self._subjects:
            self._subjects.pop(next(iter(self._subjects)))  # forget the oldest entry
        self._subjects[key] = list(dict.fromkeys([*self._subjects.get(key, []), *subjects]))

    async def _matching(self, subject_filter: str) -> list[StoredEvent]:
        events: list[StoredEvent] = []
        start = 1
        while True:
            found, pending = await self._direct_batch(subject_filter, start)
            events.extend(found)
            if not found or not pending:
                return events
            start = found[-1].seq + 1

    async def _direct_batch(self, subject_filter: str, start: int) -> tuple[list[StoredEvent], int]:
        answer, pending = await self._direct_get(
            {"seq": start, "next_by_subj": subject_filter, "batch": DIRECT_BATCH}, subject_filter)
        found = [decode(int(msg.headers["Nats-Sequence"]), msg.headers["Nats-Subject"], msg.data) for msg in answer]
        return found, pending

    async def _direct_get(self, request: dict, what: str) -> tuple[list, int]:
        """One batched direct get (server 2.11+, no consumer): the messages answered, and how many
        more matched than one answer holds."""
        inbox = self._nc.new_inbox()
        sub = await self._nc.subscribe(inbox)
        try:
            await self._nc.publish(f"$JS.API.DIRECT.GET.{STREAM}", json.dumps(request).encode(), reply=inbox)
            answer = []
            while True:
                msg = await sub.next_msg(timeout=10)
                headers = msg.headers or {}
                status = headers.get("Status")
                if status == "404":  # nothing matched
                    return answer, 0
                if status == "204":  # end of the answer
                    return answer, int(headers.get("Nats-Num-Pending", 0))
                if status:
                    why = next((v for k, v in headers.items() if k == "Description"), "")
                    raise RuntimeError(f"direct get of {what} failed with status {status}: {why}")
                answer.append(msg)
        finally:
            await sub.unsubscribe()

    async def read(
        self, start_seq: int, subject_filter: str = ALL_EVENTS, until_seq: int | None = None,
    ) -> AsyncIterator[StoredEvent]:
        """Follow the log from `start_seq`, decoded; stops after `until_seq` if given, else never."""
        if until_seq is not None and until_seq < start_seq:
            return
        sub = await self._ordered(subject_filter, start_seq)
        try:
            while True:
                msg = await sub.next_msg(timeout=None)
                seq = msg.metadata.sequence.stream
                yield decode(seq, msg.subject, msg.data)
                if until_seq is not None and seq >= until_seq:
                    return
        finally:
            await sub.unsubscribe()

    async def batches(
        self, start_seq: int, max_batch: int = 1000, until_seq: int | None = None,
    ) -> AsyncIterator[list[RawMessage]]:
        """Follow the log from `start_seq` in batches of what has already arrived (never empty),
        undecoded, so that a reader applies many events per transaction and decides itself what to
        do with a malformed one. Stops after `until_seq` if given."""
        if until_seq is not None and until_seq < start_seq:
            return
        sub = await self._ordered(ALL_EVENTS, start_seq)
        try:
            while True:
                batch = [_raw(await sub.next_msg(timeout=None))]
                while sub.pending_msgs and len(batch) < max_batch:
                    batch.append(_raw(await sub.next_msg(timeout=None)))
                if until_seq is not None and batch[-1].seq >= until_seq:
                    yield [m for m in batch if m.seq <= until_seq]
                    return
                yield batch
        finally:
            await sub.unsubscribe()

    async def _ordered(self, subject_filter: str, start_seq: int):
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                opt_start_seq=max(start_seq, 1))
        return await self._js.subscribe(
            subject_filter, stream=STREAM, ordered_consumer=True, config=config,
            pending_msgs_limit=READ_AHEAD_MESSAGES, pending_bytes_limit=READ_AHEAD_BYTES,
        )

    async def last_sequence(self) -> int:
        info = await self._js.stream_info(STREAM)
        return info.state.last_seq


def _raw(msg) -> RawMessage:
    return RawMessage(msg.metadata.sequence.stream, msg.subject, msg.data)


def _headers(event: PendingEvent) -> dict[str, str]:
    headers = {"Nats-Msg-Id": str(event.envelope.event_id),
               "Aixin-Event-Type": event.envelope.event_type}
    if event.expected_seq is not None:
        headers["Nats-Expected-Last-Subject-Sequence"] = str(event.expected_seq)
        if event.expected_over:
            headers["Nats-Expected-Last-Subject-Sequence-Subject"] = event.expected_over
    return headers


def _body(event: PendingEvent) -> bytes:
    return event.envelope.model_dump_json().encode()


def _batch_ack(data: bytes) -> int:
    ack = json.loads(data)
    if "error" in ack:
        error = ack["error"]
        raise APIError(code=error.get("code"), err_code=error.get("err_code"),
                       description=error.get("description"))
    return int(ack["seq"])


def _aggregates(events: Sequence[PendingEvent]) -> str:
    names = dict.fromkeys(f"{e.envelope.aggregate_type} {e.envelope.aggregate_id}" for e in events)
    return ", ".join(names)


__all__ = ["BatchRefused", "EventLog", "History", "MalformedEvent", "NatsTimeout", "PendingEvent", "RawMessage", "StoredEvent"]
