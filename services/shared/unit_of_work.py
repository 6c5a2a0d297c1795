"""One command's unit of work: load the histories it needs, then append what it decided.

Event ids and the ids of new aggregates are derived from the command id, and every event records
the command as its causation: a command sent twice is recognised (by the stream's duplicate window,
or afterwards by its events already standing in the histories it loads) and yields one set of events.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import ValidationError

from contracts.commands import Command
from contracts.envelope import Envelope, Event
from contracts.regions import parse_region
from contracts.subjects import ANY_AGGREGATE, event_subject, history_filter, id_filter
from services.shared.errors import ConcurrencyConflict, UnreadableHistory
from services.shared.eventlog import EventLog, History, MalformedEvent, PendingEvent, StoredEvent, describe
from services.shared.privacy import KeyStore

AIXIN_NAMESPACE = uuid5(NAMESPACE_URL, "https://aixin.example/commands")
_NAMESPACE_BYTES = AIXIN_NAMESPACE.bytes
Clock = Callable[[], datetime]
S = TypeVar("S")
Decide = Callable[[], list[Event] | Awaitable[list[Event]]]


def utc_now() -> datetime:
    return datetime.now(UTC)


def derived_id(command_id: str, purpose: str) -> str:
    """A stable id for something a command creates: the same command always names the same thing."""
    return derived_uuid(command_id, purpose).hex


def derived_uuid(command_id: str, purpose: str) -> UUID:
    """`uuid5(AIXIN_NAMESPACE, "<command_id>/<purpose>")`, computed without the standard library's
    checks, which cost more than the hash: ids are derived for every event of every import row."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{command_id}/{purpose}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return UUID(bytes=bytes(digest))


@dataclass
class Deps:
    """What every command handler needs; built once per process."""

    log: EventLog
    keys: KeyStore
    clock: Clock = utc_now


def retry_on_conflict(attempts: int = 8):
    """For commands whose outcome does not depend on what a concurrent writer did (a visit is
    appended to a pair whatever else was logged meanwhile): reload and decide again on a conflict.
    Commands whose invariants a concurrent writer can break (forming a pair) must not use this."""

    def decorate(handler):
        @functools.wraps(handler)
        async def retried(deps: Deps, command: Command):
            for attempt in range(attempts):
                try:
                    return await handler(deps, command)
                except ConcurrencyConflict:
                    if attempt == attempts - 1:
                        raise
                    await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
        return retried

    return decorate


class UnitOfWork:
    def __init__(self, deps: Deps, command: Command) -> None:
        self.deps = deps
        self.command = command
        self.now = deps.clock()
        self._histories: dict[tuple[str, str], History] = {}
        # Aggregates read together with the others of their id: the filter over all of them, the
        # last sequence it matched when read and that event's region (see `load_together`).
        self._together: dict[tuple[str, str], tuple[str, int, str | None]] = {}

    async def load(self, aggregate_type: str, aggregate_id: str) -> History:
        key = (aggregate_type, aggregate_id)
        if key not in self._histories:
            try:
                self._histories[key] = await self.deps.log.load(aggregate_type, aggregate_id)
            except MalformedEvent as bad:
                raise UnreadableHistory(f"{aggregate_type} {aggregate_id}", bad.seq, bad.reason) from None
        return self._histories[key]

    async def load_together(self, aggregate_id: str, *aggregate_types: str) -> dict[str, History]:
        """The histories of the aggregates of one id in two contexts (a child's file, intake's, and
        her pairs, pairing's), read in one pass over every subject of that id. An event appended on
        any of them is checked against all of them: refused if any moved since this read, so that a
        decision taken on both (no exit while paired, no pair for a child exiting) stands, although
        each context writes only its own."""
        over = id_filter(aggregate_id)
        try:
            events = (await self.deps.log.load(ANY_AGGREGATE, aggregate_id)).events
        except MalformedEvent as bad:
            raise UnreadableHistory(f"{'/'.join(aggregate_types)} {aggregate_id}", bad.seq, bad.reason) from None
        last, region = (events[-1].seq, events[-1].envelope.region) if events else (0, None)
        histories = {}
        for aggregate_type in aggregate_types:
            key = (aggregate_type, aggregate_id)
            histories[aggregate_type] = self._histories[key] = History(
                f"{aggregate_type} {aggregate_id}", [e for e in events if e.envelope.aggregate_type == aggregate_type])
            self._together[key] = (over, last, region)
        return histories

    def events_of(self, history: History) -> list[Event]:
        return [_typed(history, stored) for stored in history.events]

    async def state(self, aggregate_type: str, aggregate_id: str, fold: Callable[[list[Event]], S]) -> S:
        """The aggregate as `fold` makes it of its events. Loaded through `load`, so the history is
        read once per command, takes part in the concurrency check and shows a retry."""
        return fold(self.events_of(await self.load(aggregate_type, aggregate_id)))

    def earlier_result(self) -> dict[str, Any] | None:
        """The result of this very command if it was applied before (a retry), else None."""
        done = [s.envelope for h in self._histories.values() for s in h.events
                if s.envelope.causation_id == self.command.command_id]
        if not done:
            return None
        return {"command_id": self.command.command_id, "duplicate": True,
                "events": [_summary(e) for e in done]}

    async def decide_and_commit(self, decide: Decide, **ids: Any) -> dict[str, Any]:
        """The last step of every handler: `decide` runs only if this command was not applied before
        (its events are not in the histories loaded), so a retry never decides twice. It may be
        async: what only a new command needs (sealing a note, loading more histories) is done in it,
        so a retry does none of that work."""
        if earlier := self.earlier_result():
            return {**ids, **earlier}
        events = decide()
        if inspect.isawaitable(events):
            events = await events
        return {**ids, **await self.commit(events)}

    async def commit(self, events: list[Event]) -> dict[str, Any]:
        pending = self.pending(events)
        seq = await self.deps.log.append(pending)
        return {"command_id": self.command.command_id, "duplicate": False, "seq": seq,
                "events": [_summary(p.envelope) for p in pending]}

    def pending(self, events: list[Event]) -> list[PendingEvent]:
        """The events as they will be appended: subject, envelope and expected sequence each."""
        pending: list[PendingEvent] = []
        versions: dict[tuple[str, str], int] = {}
        checked: set[str] = set()
        for index, event in enumerate(events):
            key = (event.aggregate_type, event.aggregate_id)
            history = self._histories.get(key) or History(f"{key[0]} {key[1]}")
            # An aggregate that moves with its first event of the batch (a child whose village is
            # completed) is checked over its whole history, so that no concurrent change is lost.
            moves = key not in versions and history.exists and getattr(event, "region", None) is not None
            versions[key] = versions.get(key, history.version) + 1
            # An event naming a region is stored under it (a new aggregate, a child moving in);
            # any other event stays on the subject its aggregate last wrote to, or, the first of a
            # context's aggregate of another's id (a pair's care), goes to that one's region.
            named = getattr(event, "region", None)
            region = named or (history.events[-1].envelope.region if history.exists else self._together[key][2])
            subject = event_subject(parse_region(region), *key) if named or not history.exists else history.subject
            moves = moves and subject != history.subject
            envelope = self._envelope(event, index, versions[key], region)
            if key in self._together:  # checked over every aggregate of its id, once in a batch
                over, last, _ = self._together[key]
                pending.append(PendingEvent(subject, envelope, None if over in checked else last, over))
                checked.add(over)
                continue
            pending.append(PendingEvent(
                subject=subject, envelope=envelope,
                # Only a subject's first event in a batch is checked: the server compares the
                # expectation with the stream as it stood before the batch.
                expected_seq=history.events[-1].seq if moves else None if subject in checked
                else history.last_seq_on(subject),
                expected_over=history_filter(*key) if moves or not (history.exists or subject in checked) else None,
            ))
            checked.add(subject)
        return _link_moves(pending)

    def _envelope(self, event: Event, index: int, version: int, region: str) -> Envelope:
        command = self.command
        # Built of values already typed and checked (the command's, the event's, the log's): not
        # validated once more, which was a tenth of a registration's CPU in the command service.
        return Envelope.model_construct(
            event_id=derived_uuid(command.command_id, f"event/{index}"),
            event_type=event.type_name(), schema_version=event.schema_version,
            aggregate_type=event.aggregate_type, aggregate_id=event.aggregate_id,
            aggregate_version=version, occurred_at=self.now, recorded_at=utc_now(),
            actor=command.actor, region=region,
            correlation_id=command.correlation_id or command.command_id,
            causation_id=command.command_id,
            data=event.model_dump(mode="json"),
        )


def _typed(history: History, stored: StoredEvent) -> Event:
    try:
        return stored.event
    except KeyError:
        raise UnreadableHistory(history.aggregate, stored.seq,
                                f"{stored.envelope.event_type} is not an event this version knows") from None
    except ValidationError as error:
        raise UnreadableHistory(history.aggregate, stored.seq, describe(error)) from None


def _link_moves(pending: list[PendingEvent]) -> list[PendingEvent]:
    """Where a command moves an aggregate to another subject, its last event on the old subject
    names the new one, so that a reader who knows only the old subject can follow it."""
    linked = list(pending)
    for i, event in enumerate(pending):
        later = next((p for p in pending[i + 1:] if p.envelope.aggregate_id == event.envelope.aggregate_id
                      and p.envelope.aggregate_type == event.envelope.aggregate_type), None)
        if later is not None and later.subject != event.subject:
            envelope = event.envelope.model_copy(update={"continues_on": later.subject})
            linked[i] = PendingEvent(event.subject, envelope, event.expected_seq, event.expected_over)
    return linked


def _summary(envelope: Envelope) -> dict[str, Any]:
    return {"event_id": str(envelope.event_id), "event_type": envelope.event_type,
            "aggregate_type": envelope.aggregate_type, "aggregate_id": envelope.aggregate_id}
