"""One outside system's feed stream, in that system's own NATS account: its configuration, where its
writer stands, and appending to it exactly once.

The stream is its own checkpoint. Every message carries the domain log's sequence it came from
(`Aixin-Origin-Seq`) and its place among the messages made from that event (`Aixin-Part`, from 0,
of `Aixin-Parts`); the writer resumes after the last message stored. Each append names the
stream's last sequence it expects (`Nats-Expected-Last-Sequence`): a second writer, or a message
put in by anyone else, makes it fail instead of storing a message twice, and the writer then reads
where the stream stands and goes on from there. The id of each message (`Nats-Msg-Id`, derived from
the domain event) also makes a retry within the duplicate window store nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from contracts.feed.envelope import FeedMessage
from contracts.feed.subjects import FEED_STREAM

ORIGIN_SEQ, PART, PARTS = "Aixin-Origin-Seq", "Aixin-Part", "Aixin-Parts"
# How long a system may stay away and still find every message it has not read: a month.
RETENTION = timedelta(days=30)
DUPLICATE_WINDOW = timedelta(hours=1)
IN_FLIGHT = 256  # appends awaiting their acknowledgement at once


@dataclass(frozen=True)
class FeedPosition:
    """Where a system's feed stands: its last sequence, and the domain event and part it came from."""

    last_seq: int = 0
    origin_seq: int = 0
    part: int = 0
    parts: int = 0

    @property
    def next_origin(self) -> int:
        """The domain log sequence to translate from: the last one again if some parts are missing."""
        return self.origin_seq if self.part + 1 < self.parts else self.origin_seq + 1

    def still_to_write(self, message_origin: int, part: int) -> bool:
        return message_origin > self.origin_seq or (message_origin == self.origin_seq and part > self.part)


class FeedConflict(RuntimeError):
    """The stream was not where its writer expected it: read the position again and go on."""


def feed_stream_config(subject_filter: str, retention: timedelta = RETENTION) -> StreamConfig:
    return StreamConfig(
        name=FEED_STREAM, subjects=[subject_filter], retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE, num_replicas=1, max_age=retention.total_seconds(),
        discard=DiscardPolicy.OLD, duplicate_window=DUPLICATE_WINDOW.total_seconds(),
        deny_delete=True, deny_purge=True, allow_direct=True)


async def ensure_feed_stream(js, subject_filter: str, retention: timedelta = RETENTION) -> None:
    wanted = feed_stream_config(subject_filter, retention)
    try:
        info = await js.stream_info(FEED_STREAM)
    except NotFoundError:
        await js.add_stream(wanted)
        return
    have = info.config
    if list(have.subjects or []) != [subject_filter] or have.max_age != wanted.max_age:
        await js.update_stream(wanted)


async def feed_position(js) -> FeedPosition:
    last = (await js.stream_info(FEED_STREAM)).state.last_seq
    if not last:
        return FeedPosition()
    try:
        message = await js.get_msg(FEED_STREAM, seq=last)
    except NotFoundError:  # aged out: what it came from is known no more, nor needed
        return FeedPosition(last_seq=last)
    headers = message.headers or {}
    return FeedPosition(last, int(headers.get(ORIGIN_SEQ, 0)), int(headers.get(PART, 0)),
                        int(headers.get(PARTS, 1)))


async def append_feed(js, messages: list[tuple[FeedMessage, int, int]], expected_last: int) -> int:
    """Append (message, part, parts) in order after `expected_last`; returns the new last sequence.
    Raises FeedConflict when the stream was elsewhere (nothing after the conflict is stored)."""
    last = expected_last
    for start in range(0, len(messages), IN_FLIGHT):
        acks = []
        for offset, (message, part, parts) in enumerate(messages[start:start + IN_FLIGHT]):
            headers = {"Nats-Msg-Id": message.id, "Nats-Expected-Last-Sequence": str(last + offset),
                       ORIGIN_SEQ: str(message.origin_seq), PART: str(part), PARTS: str(parts)}
            acks.append(await js.publish_async(message.subject, message.encode(), headers=headers))
        results = await asyncio.gather(*acks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) or result.duplicate:
                raise FeedConflict(f"the feed was not at sequence {last}: {result!r}")
            last = result.seq
    return last


async def delete_feed_stream(js) -> bool:
    """For a feed rebuilt from the log: the writer starts again from the first event."""
    try:
        return await js.delete_stream(FEED_STREAM)
    except NotFoundError:
        return False
