"""The event log: the only package that stores events in, and reads them from, JetStream.

- `stream`: the stream's configuration (file storage, duplicate window, no delete, no purge, direct
  get, atomic batches), created or verified by `ensure_stream`.
- `append`: the events of one command, one event with a plain publish, several in one atomic batch,
  so no reader can observe half of them; a concurrent writer gets `ConcurrencyConflict`, a retried
  command is recognised and not stored twice. Commands appended while a write is under way share
  the next batch and its fsync (`grouping`).
- `load`: one aggregate's history in order; `subjects_of` tells, for many aggregates in one
  request, which exist and on which subjects.
- `follow`: the log from a stream position (`read`, `batches`).
"""

from __future__ import annotations

import asyncio

from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeout

from services.shared.eventlog import stream
from services.shared.eventlog.append import Appending
from services.shared.eventlog.follow import Following
from services.shared.eventlog.load import Loading
from services.shared.eventlog.replies import ReplyInbox
from services.shared.eventlog.records import (BatchRefused, History, MalformedEvent, PendingEvent, RawMessage,
                                               StoredEvent, decode, describe)
from services.shared.eventlog.stream import DUPLICATE_WINDOW_SECONDS, MAX_BATCH_EVENTS, MAX_OPEN_BATCHES


class EventLog(Appending, Loading, Following):
    def __init__(self, nc: NATS, replicas: int = 1) -> None:
        self._nc = nc
        self._js = nc.jetstream()
        self._replies = ReplyInbox(nc)  # one inbox for every direct get's answer
        self._replicas = replicas
        self._open_batches = asyncio.Semaphore(MAX_OPEN_BATCHES)
        self._subjects: dict[tuple[str, str], list[str]] = {}  # aggregate -> subjects it uses
        self._waiting = []  # commands to append in the next group commit
        self._writer = None
        self._leaders_elected, self._advisories = 0, None  # stream leaders elected, seen since the first append

    async def ensure_stream(self) -> None:
        await stream.ensure_stream(self._js, self._replicas)


__all__ = ["DUPLICATE_WINDOW_SECONDS", "MAX_BATCH_EVENTS", "BatchRefused", "EventLog", "History",
           "MalformedEvent", "NatsTimeout", "PendingEvent", "RawMessage", "StoredEvent", "decode", "describe"]
