"""Following: the log from a stream position through a consumer of the reader's own, decoded one by
one or undecoded in batches of what has already arrived.

The server sends a reader at most `stream.READ_AHEAD_MESSAGES` it has not acknowledged as received
(the consumer acknowledges all up to a message at once, every quarter of that), so a reader slower
than the log holds a bounded queue and the server sends nothing that would be dropped and sent
again. (An ordered consumer, used before, is bounded only by the client, which drops what arrives
beyond its limit: a reader of a million-event log behind by 200,000 either held them all, over
200 MB, or, with a limit, had most messages dropped and sent again: a rebuild of that log read
620 events a second, against 1,193 now.)

Every reader still checks that it is handed each message the server delivered: a message out of
the consumer's sequence (a consumer lost and made again, a message dropped all the same) makes the
reader follow again from the last one it was handed, so none is skipped or handed twice.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import AsyncIterator

import nats.errors

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.subjects import ALL_EVENTS, STREAM
from services.shared.eventlog.records import EVENT_TYPE_HEADER, RawMessage, StoredEvent, decode
from services.shared.eventlog.stream import READ_AHEAD_BYTES, READ_AHEAD_MESSAGES

log = logging.getLogger("aixin.eventlog")
IDLE_CHECK_SECONDS = 2.0  # of no message, after which a reader asks whether the last were dropped
# Acknowledged as received, never as applied (a reader keeps its own position), so a reader busy for
# long with one batch is not sent it again; a consumer without interest for a while is removed.
ACK_WAIT_SECONDS = 3600.0
INACTIVE_SECONDS = 60.0


class Following:
    """The following half of `EventLog`."""

    _js: object

    async def read(
        self, start_seq: int, subject_filter: str = ALL_EVENTS, until_seq: int | None = None,
    ) -> AsyncIterator[StoredEvent]:
        """Follow the log from `start_seq`, decoded; stops after `until_seq` if given, else never."""
        if until_seq is not None and until_seq < start_seq:
            return
        sub = await _InOrder.start(self._js, subject_filter, start_seq)
        try:
            while True:
                msg = await sub.next()
                seq = msg.metadata.sequence.stream
                yield decode(seq, msg.subject, msg.data)
                if until_seq is not None and seq >= until_seq:
                    return
        finally:
            await sub.close()

    async def batches(
        self, start_seq: int, max_batch: int = 1000, until_seq: int | None = None,
        subject_filter: str = ALL_EVENTS,
    ) -> AsyncIterator[list[RawMessage]]:
        """Follow the log (or the subjects of `subject_filter`) from `start_seq` in batches of what
        has already arrived (never empty), undecoded, so that a reader applies many events per
        transaction and decides itself what to do with a malformed one. Stops after `until_seq`."""
        if until_seq is not None and until_seq < start_seq:
            return
        sub = await _InOrder.start(self._js, subject_filter, start_seq)
        try:
            while True:
                batch = [_raw(await sub.next())]
                while sub.pending and len(batch) < max_batch:
                    batch.append(_raw(await sub.next()))
                if until_seq is not None and batch[-1].seq >= until_seq:
                    yield [m for m in batch if m.seq <= until_seq]
                    return
                yield batch
        finally:
            await sub.close()

    async def present(self, subject_filter: str = ALL_EVENTS, max_batch: int = 1000,
                      ) -> AsyncIterator[list[RawMessage]]:
        """The messages on `subject_filter` that the log holds now, from the first, in batches,
        undecoded; ends with the last of them (one appended meanwhile may be included, or not)."""
        sub = await _InOrder.start(self._js, subject_filter, 1)
        try:
            info = await sub.sub.consumer_info()
            if not info.num_pending and not (info.delivered and info.delivered.consumer_seq):
                return  # nothing on the filter: waiting for a first message would never end
            last = False
            while not last:
                batch: list[RawMessage] = []
                while not last and len(batch) < max_batch and (not batch or sub.pending):
                    msg = await sub.next()
                    batch.append(_raw(msg))
                    last = not msg.metadata.num_pending  # the stream had none after it for us
                yield batch
        finally:
            await sub.close()

    async def last_sequence(self) -> int:
        info = await self._js.stream_info(STREAM)
        return info.state.last_seq


class _InOrder:
    """A consumer of the reader's own whose messages are each checked to follow the one handed out
    before, acknowledged as received so that the server sends a bounded number ahead.

    A new consumer numbers its deliveries from 1. A delivery out of that count, or of a stream
    sequence not after the last, means messages were lost between the server and the reader, or sent
    again: either way, this follows again from the stream sequence after the last message handed
    out, with a new consumer, and what was buffered is discarded."""

    def __init__(self, js, subject_filter: str) -> None:
        self.js, self.subject_filter = js, subject_filter
        self.sub, self.inbox = None, _Inbox()
        self.handed = 0  # the consumer sequence of the last message handed out
        self.ack_every = 1
        self.last_seq = 0  # and its stream sequence (set by `start`)

    @classmethod
    async def start(cls, js, subject_filter: str, start_seq: int) -> _InOrder:
        reader = cls(js, subject_filter)
        reader.last_seq = max(start_seq, 1) - 1  # where to follow again from, before any is handed
        await reader._subscribe(start_seq)
        return reader

    @property
    def pending(self) -> int:
        """Messages received and not yet handed out."""
        return len(self.inbox.messages) + self.sub.pending_msgs

    async def next(self):
        while True:
            if not self.inbox.messages:
                try:
                    await self.inbox.arrival(IDLE_CHECK_SECONDS)
                except TimeoutError:
                    await self._check_idle()
                continue
            msg = self.inbox.messages.popleft()
            sequence = msg.metadata.sequence
            if sequence.consumer == self.handed + 1 and sequence.stream > self.last_seq:
                self.handed, self.last_seq = sequence.consumer, sequence.stream
                if self.handed % self.ack_every == 0:
                    await msg.ack()  # all up to this one: the server may send as many more
                return msg
            log.info("the log's reader on %s was handed delivery %d after %d (stream sequence %d "
                     "after %d): following again from %d", self.subject_filter, sequence.consumer,
                     self.handed, sequence.stream, self.last_seq, self.last_seq + 1)
            await self._again()

    async def _check_idle(self) -> None:
        """Nothing arrived for a while: if the server delivered more than was handed out or is
        waiting here, the client dropped the last ones, and no later message would tell."""
        try:
            delivered = (await self.sub.consumer_info()).delivered.consumer_seq
        except NotFoundError:  # the server forgot the consumer (it restarted): make another
            log.info("the log's reader on %s lost its consumer: following again from %d",
                     self.subject_filter, self.last_seq + 1)
            await self._again_when_possible()
            return
        except (nats.errors.Error, asyncio.TimeoutError):
            return  # the server is away: asked again later
        if delivered > self.handed + self.pending:
            log.info("the log's reader on %s was handed %d of the %d deliveries made: following "
                     "again from %d", self.subject_filter, self.handed, delivered, self.last_seq + 1)
            await self._again()

    async def _again(self) -> None:
        """A new consumer from the event after the last one handed out; then the old one goes."""
        old, received = self.sub, self.inbox
        await self._subscribe(self.last_seq + 1)
        await _let_go(old)
        received.messages.clear()

    async def _again_when_possible(self) -> None:
        try:
            await self._again()
        except (nats.errors.Error, asyncio.TimeoutError):
            pass  # the server is not back yet: the old subscription stays, asked again when idle

    async def close(self) -> None:
        await _let_go(self.sub)
        self.inbox.messages.clear()

    async def _subscribe(self, start_seq: int) -> None:
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=max(start_seq, 1),
            ack_policy=AckPolicy.ALL, max_ack_pending=READ_AHEAD_MESSAGES, ack_wait=ACK_WAIT_SECONDS,
            inactive_threshold=INACTIVE_SECONDS, mem_storage=True, num_replicas=1)
        # Received by a callback into an inbox of this subscription's own, not by `next_msg`, which
        # makes a task and a timeout for every message (a uuid too): a log of 12,000 events is
        # read at 31,000 a second instead of 21,000. A subscription replaced keeps its own inbox,
        # so nothing it still receives mixes with the new one's.
        inbox = _Inbox()
        self.sub = await self.js.subscribe(
            self.subject_filter, stream=STREAM, config=config, manual_ack=True, cb=inbox.receive,
            pending_msgs_limit=client_queue(READ_AHEAD_MESSAGES), pending_bytes_limit=READ_AHEAD_BYTES,
        )
        self.inbox = inbox
        self.handed = 0
        self.ack_every = max(READ_AHEAD_MESSAGES // 4, 1)


async def _let_go(sub) -> None:
    try:
        await sub.unsubscribe()
    except (nats.errors.Error, asyncio.TimeoutError):
        pass  # the connection is closed or reconnecting: the server drops the interest itself
    # The client's JetStream subscription and its state refer to each other, so a subscription
    # let go is freed only by a collection of the oldest generation, which the followers run
    # seldom: with the messages it still held (up to the read-ahead each), the followers of a
    # million-event log grew past 500 MB. Its queue is emptied now.
    queue = getattr(sub, "_pending_queue", None)
    while queue is not None and not queue.empty():
        queue.get_nowait()


class _Inbox:
    """What one subscription has received, in order, until it is handed out."""

    def __init__(self) -> None:
        self.messages: collections.deque = collections.deque()
        self._arrived = asyncio.Event()

    async def receive(self, msg) -> None:
        self.messages.append(msg)
        self._arrived.set()

    async def arrival(self, timeout: float) -> None:
        """Until a message is received; TimeoutError after `timeout` seconds of none."""
        self._arrived.clear()
        if not self.messages:
            # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that comes as a
            # message arrives (the reader's task, told to stop, then read on for ever and held up
            # the stop of whatever ran it). asyncio.timeout hands the cancellation on.
            async with asyncio.timeout(timeout):
                await self._arrived.wait()


def client_queue(read_ahead: int) -> int:
    """The client's queue holds what the server may send ahead, with room to spare: should it still
    fill (with messages far larger than events are), what it drops is noticed in `_InOrder.next`."""
    return 2 * read_ahead


def _raw(msg) -> RawMessage:
    headers = msg.headers
    return RawMessage(msg.metadata.sequence.stream, msg.subject, msg.data,
                      headers.get(EVENT_TYPE_HEADER) if headers else None)
