"""One outside system's feed, kept up with the log: its subtree of the domain log followed, each
event translated with the system's own pseudonyms (`services.feed.translate`), appended to the
feed stream in the system's account exactly once (`services.shared.eventlog.feed_stream`).

The stream itself says where to go on from, so a restart, a crash mid-batch or days of the system
being away lose nothing and write nothing twice; a feed deleted (to be rebuilt) is written again
from the first event of the log, with the same message ids and origin sequences.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nats.js.errors import NotFoundError

from contracts.feed.subjects import FEED_STREAM, feed_filter
from contracts.subjects import subtree_filter
from services.feed.translate import pseudonymiser, translate
from services.shared.eventlog import EventLog, MalformedEvent
from services.shared.eventlog.feed_stream import (FeedConflict, FeedPosition, append_feed, ensure_feed_stream,
                                                  feed_position)

log = logging.getLogger("aixin.feed")
RETRY_SECONDS = 1.0
WATCH_SECONDS = 5.0


@dataclass
class SystemFeed:
    name: str
    office: str
    pseudonym_key: bytes
    log: EventLog  # the platform's reader of the domain log
    connect: Callable[[], Awaitable[object]]  # a connection as the feeder in the system's account
    position: FeedPosition = field(default_factory=FeedPosition)
    written: int = 0  # messages appended since start, for tests and logs
    _appending: bool = False

    async def run(self) -> None:
        """Keep the feed up with the log for ever; after any failure, go on from the stream."""
        nc = await self._connect_when_possible()
        try:
            while True:
                try:
                    await self._follow(nc.jetstream())
                except asyncio.CancelledError:
                    raise
                except FeedConflict as conflict:
                    log.info("feed of %s: %s; going on from where the stream stands", self.name, conflict)
                except Exception:
                    log.exception("feed of %s failed; going on from where the stream stands", self.name)
                    await asyncio.sleep(RETRY_SECONDS)
        finally:
            await _close(nc)

    async def _connect_when_possible(self):
        while True:
            try:
                return await self.connect()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the server has not taken the system's account yet
                log.info("feed of %s cannot connect yet (%s); trying again", self.name, error)
                await asyncio.sleep(RETRY_SECONDS)

    async def _follow(self, js) -> None:
        await ensure_feed_stream(js, feed_filter(self.office))
        self.position = await feed_position(js)
        writing = asyncio.create_task(self._write(js))
        watching = asyncio.create_task(self._watch(js))
        try:
            done, _ = await asyncio.wait((writing, watching), return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in (writing, watching):
                task.cancel()
            await asyncio.gather(writing, watching, return_exceptions=True)

    async def _watch(self, js) -> None:
        """A feed deleted to be rebuilt (`aixin systems refeed`) is written again at once, not at
        the next event of the log: the stream is looked at while the log is quiet."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            if self._appending:
                continue
            try:
                last = (await js.stream_info(FEED_STREAM)).state.last_seq
            except NotFoundError:
                raise FeedConflict("the feed was deleted") from None
            if last != self.position.last_seq and not self._appending:
                raise FeedConflict(f"the feed is at sequence {last}, not {self.position.last_seq}")

    async def _write(self, js) -> None:
        pseudonym = pseudonymiser(self.pseudonym_key)
        async for batch in self.log.batches(self.position.next_origin, subject_filter=subtree_filter(self.office)):
            todo = []
            for raw in batch:
                for part, parts, message in self._translated(raw, pseudonym):
                    if self.position.still_to_write(raw.seq, part):
                        todo.append((message, part, parts))
            if todo:
                self._appending = True
                try:
                    last = await append_feed(js, todo, self.position.last_seq)
                finally:
                    self._appending = False
                message, part, parts = todo[-1]
                self.position = FeedPosition(last, message.origin_seq, part, parts)
                self.written += len(todo)

    def _translated(self, raw, pseudonym):
        try:
            messages = translate(raw.decode_typed(), pseudonym)
        except (MalformedEvent, KeyError) as error:  # listed by `aixin doctor`; nothing to tell outside
            log.warning("feed of %s passes by stream sequence %d: %s", self.name, raw.seq, error)
            return []
        return [(part, len(messages), message) for part, message in enumerate(messages)]


async def _close(nc) -> None:
    try:
        await nc.close()
    except Exception:  # already closed by the server (the system was removed)
        pass
