"""Appending: the events of one command with a plain publish or one atomic batch, each with its
`Nats-Msg-Id` and the expected last sequence of its subject, so that a concurrent writer gets
`ConcurrencyConflict` and a retried command is recognised instead of stored twice.

Commands appended while another write is under way are written together, in one atomic batch
(`grouping`): they share one fsync. Should that batch be refused (one command's conflict or retry
refuses all of it, and none of it is stored), each of its commands is appended again on its own, where
a conflict and a retry are told apart exactly and only the command concerned learns of it."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from uuid import uuid4

from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import APIError

from contracts.subjects import STREAM
from services.shared.errors import ConcurrencyConflict
from services.shared.eventlog.grouping import Waiting, last_sequences, next_group
from services.shared.eventlog.records import EVENT_TYPE_HEADER, BatchRefused, PendingEvent
from services.shared.eventlog.stream import (BATCH_DUPLICATE_MSG_ID, BATCH_START_ATTEMPTS,
                                              BATCH_TOO_MANY_INFLIGHT, MAX_BATCH_EVENTS, WRONG_LAST_SEQUENCE)

ACK_TIMEOUT = 10.0  # seconds for the server's acknowledgement of an append, while connected
LOOK_EVERY = 0.25  # seconds between looks at the connection while one is awaited
# Told by the server in the stream's account when a node of a cluster becomes the stream's leader:
# an acknowledgement awaited from the one before is not coming.
LEADER_ELECTED = f"$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.{STREAM}"


class Appending:
    """The writing half of `EventLog`. A refused append is told apart from a retry by loading the
    aggregate (`Loading.load`); appended subjects are remembered by `Loading` too."""

    _nc: object
    _js: object
    _open_batches: asyncio.Semaphore
    _waiting: list[Waiting]
    _writer: asyncio.Task | None
    _leaders_elected: int
    _advisories: object | None

    async def append(self, events: Sequence[PendingEvent]) -> int:
        """Store the events of one command; returns the stream sequence of the last one."""
        if not events:
            raise ValueError("append needs at least one event")
        self._remember_subjects_of(events)
        if self._advisories is None:
            self._advisories = await self._nc.subscribe(LEADER_ELECTED, cb=self._leader_elected)
        entry = Waiting(events, asyncio.get_running_loop().create_future())
        # Read its outcome even if the caller was cancelled, so that no failure goes unretrieved.
        entry.done.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._waiting.append(entry)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting(), name="group commit")
        # shielded: a caller that gives up (a cancelled handler) leaves the write to finish for the others
        return await asyncio.shield(entry.done)

    async def _leader_elected(self, _msg) -> None:
        self._leaders_elected += 1

    async def _unless_lost(self, awaiting):
        """An acknowledgement awaited while it can come: neither the connection dropped or made
        again (`_unless_disconnected`) nor the stream's leader changed since it was asked for."""
        return await _unless_disconnected(self._nc, awaiting, lambda: self._leaders_elected)

    async def _write_waiting(self) -> None:
        while self._waiting:
            group, self._waiting = next_group(self._waiting, MAX_BATCH_EVENTS)
            if len(group) == 1:
                await _settle(group[0], self._append_alone(group[0].events))
                continue
            try:
                last = await self._publish_batch_when_open([e for entry in group for e in entry.events])
            except APIError:  # nothing of the batch is stored: each command on its own says why
                await asyncio.gather(*(_settle(entry, self._append_alone(entry.events)) for entry in group))
                continue
            except BaseException as error:  # no answer (a timeout, a lost connection): all learn of it
                for entry in group:
                    _fail(entry, error)
                if isinstance(error, asyncio.CancelledError):
                    raise
                continue
            for entry, seq in zip(group, last_sequences(group, last), strict=True):
                _succeed(entry, seq)

    async def _append_alone(self, events: Sequence[PendingEvent]) -> int:
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
        ack = await self._unless_lost(self._js.publish(
            event.subject, _body(event), headers=_headers(event), stream=STREAM, timeout=ACK_TIMEOUT))
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
                reply = await self._unless_lost(
                    self._nc.request(event.subject, _body(event), headers=headers, timeout=ACK_TIMEOUT))
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


async def _settle(entry: Waiting, appended) -> None:
    try:
        seq = await appended
    except BaseException as error:
        _fail(entry, error)
        if isinstance(error, asyncio.CancelledError):
            raise
        return
    _succeed(entry, seq)


def _succeed(entry: Waiting, seq: int) -> None:
    if not entry.done.done():
        entry.done.set_result(seq)


def _fail(entry: Waiting, error: BaseException) -> None:
    if entry.done.done():
        return
    if isinstance(error, asyncio.CancelledError):  # the writer was stopped (the service stops)
        entry.done.cancel()
    else:
        entry.done.set_exception(error)


def _headers(event: PendingEvent) -> dict[str, str]:
    headers = {"Nats-Msg-Id": str(event.envelope.event_id),
               EVENT_TYPE_HEADER: event.envelope.event_type}
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


async def _unless_disconnected(nc, awaiting, leaders=lambda: 0):
    """An acknowledgement awaited only while the connection stands: one lost with the server (it
    died mid-append) is given up at once, not after ACK_TIMEOUT, so that the commands grouped
    behind it are not held for that long. Whether it was stored is told by its retry (the event id
    is its Nats-Msg-Id, the command id makes the event ids). On a cluster the client is connected
    again to another node at once, so a reconnection since the append was sent counts as a drop, and
    so does a new leader of the stream (`leaders` counts them), the old one having taken the
    acknowledgement with it."""
    reconnects, leader = nc.stats["reconnects"], leaders()
    task = asyncio.ensure_future(awaiting)
    while True:
        done, _ = await asyncio.wait((task,), timeout=LOOK_EVERY)
        if done:
            return task.result()
        if not nc.is_connected or nc.stats["reconnects"] != reconnects or leaders() != leader:
            task.cancel()
            raise NatsTimeout()
