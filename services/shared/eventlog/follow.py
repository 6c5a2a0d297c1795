"""Following: the log from a stream position through an ordered consumer, decoded one by one or
undecoded in batches of what has already arrived."""

from __future__ import annotations

from collections.abc import AsyncIterator

from nats.js.api import ConsumerConfig, DeliverPolicy

from contracts.subjects import ALL_EVENTS, STREAM
from services.shared.eventlog.records import EVENT_TYPE_HEADER, RawMessage, StoredEvent, decode
from services.shared.eventlog.stream import READ_AHEAD_BYTES, READ_AHEAD_MESSAGES


class Following:
    """The following half of `EventLog`."""

    _js: object

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

    async def present(self, subject_filter: str = ALL_EVENTS, max_batch: int = 1000,
                      ) -> AsyncIterator[list[RawMessage]]:
        """The messages on `subject_filter` that the log holds now, from the first, in batches,
        undecoded; ends with the last of them (one appended meanwhile may be included, or not)."""
        sub = await self._ordered(subject_filter, 1)
        try:
            info = await sub.consumer_info()
            if not info.num_pending and not (info.delivered and info.delivered.consumer_seq):
                return  # nothing on the filter: waiting for a first message would never end
            last = False
            while not last:
                batch: list[RawMessage] = []
                while not last and len(batch) < max_batch and (not batch or sub.pending_msgs):
                    msg = await sub.next_msg(timeout=None)
                    batch.append(_raw(msg))
                    last = not msg.metadata.num_pending  # the stream had none after it for us
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
    headers = msg.headers
    return RawMessage(msg.metadata.sequence.stream, msg.subject, msg.data,
                      headers.get(EVENT_TYPE_HEADER) if headers else None)
