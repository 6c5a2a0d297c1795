"""Group commit: which of the commands waiting to be appended may share one atomic batch.

With `sync_interval: always` the server fsyncs each write before it acknowledges it, and an atomic
batch is one write whatever its size (on the 2-core machine of the benchmarks: about 180 batches a
second of 8 or of 128 events alike, against 1,100 plain publishes one at a time). So the commands
that arrive while a write is under way are appended together by the next one: each is acknowledged
only once the batch is on disk, as before, and they share its fsync.

A batch is checked against the stream as it stood before it: of two commands on one aggregate in
one batch, the second's expectation (formed before the first was stored) would never be checked,
and a concurrent change could be lost. So a command waits for a later batch if it touches an
aggregate or subject that one already in the batch touches, or an aggregate of the same id (a
child's file and her pairs are two contexts' aggregates of one id, each checked against both).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from contracts.subjects import id_filter
from services.shared.eventlog.records import PendingEvent


@dataclass
class Waiting:
    """One command's events, and the future its `append` awaits (the sequence of its last event)."""

    events: Sequence[PendingEvent]
    done: asyncio.Future[int]
    touches: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.touches = frozenset(_touched(self.events))


def _touched(events: Sequence[PendingEvent]) -> set[str]:
    touched: set[str] = set()
    for event in events:
        touched.add(event.subject)
        touched.add(f"{event.envelope.aggregate_type} {event.envelope.aggregate_id}")
        touched.add(id_filter(event.envelope.aggregate_id))
    return touched


def next_group(waiting: list[Waiting], max_events: int) -> tuple[list[Waiting], list[Waiting]]:
    """The commands of the next batch, in the order they came, and those left for later ones: none
    of a batch's commands touches what another of it touches, and it holds at most `max_events`."""
    group: list[Waiting] = []
    later: list[Waiting] = []
    touched: set[str] = set()
    size = 0
    for entry in waiting:
        if (group and size + len(entry.events) > max_events) or entry.touches & touched:
            later.append(entry)
            continue
        group.append(entry)
        touched |= entry.touches
        size += len(entry.events)
    return group, later


def last_sequences(group: Sequence[Waiting], last_seq: int) -> list[int]:
    """Each command's last sequence, from the batch's last: an atomic batch is stored in one piece,
    in the order it was sent."""
    ends = list(accumulate(len(entry.events) for entry in group))
    return [last_seq - (ends[-1] - end) for end in ends]
