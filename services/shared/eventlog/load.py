"""Loading: one aggregate's history, in order, across every region it has belonged to, for many
aggregates at once which exist and on which subjects, and one message by its stream sequence.
Batched direct gets: no consumer."""

from __future__ import annotations

import json
from collections.abc import Sequence

from contracts.subjects import ANY_AGGREGATE, STREAM, history_filter
from services.shared.eventlog.replies import ReplyInbox
from services.shared.eventlog.records import EVENT_TYPE_HEADER, History, PendingEvent, RawMessage, StoredEvent, decode
from services.shared.eventlog.stream import DIRECT_BATCH, EXISTENCE_ANSWER, EXISTENCE_CHUNK, SUBJECT_CACHE_SIZE


class Loading:
    """The reading-by-aggregate half of `EventLog`; remembers the subjects of aggregates it has met."""

    _nc: object
    _replies: ReplyInbox
    _subjects: dict[tuple[str, str], list[str]]

    async def load(self, aggregate_type: str, aggregate_id: str) -> History:
        """One aggregate's events in stream order, across every region it has belonged to.

        Uses batched direct get (server 2.11+): no consumer is created. The first load of an
        aggregate in this process matches its id under any region (a wildcard filter, whose cost
        grows with the stream); later loads read the subjects it is known to use, literally, and
        follow `continues_on` to a subject it moved on to since (perhaps through another process).

        `ANY_AGGREGATE` as the type: every aggregate of this id, whatever its type, always matched
        by the wildcard (another may have begun since), in one pass: the whole of the log on them
        up to its last event.
        """
        key = (aggregate_type, aggregate_id)
        history = History(f"{aggregate_type} {aggregate_id}")
        known = None if aggregate_type == ANY_AGGREGATE else self._subjects.get(key)
        if known is None:
            history.events = await self._matching(history_filter(aggregate_type, aggregate_id))
        else:
            for subject in known:
                history.events.extend(await self._matching(subject))
            history.events.sort(key=lambda e: e.seq)
            while history.events and (onward := history.events[-1].envelope.continues_on) \
                    and onward not in {e.subject for e in history.events}:
                history.events.extend(await self._matching(onward))
        if history.events and aggregate_type != ANY_AGGREGATE:
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

    async def message_at(self, seq: int, subject: str) -> RawMessage | None:
        """The message stored at `seq` on `subject`, undecoded (None if there is none there): what a
        follower parked, read again to apply it."""
        answer, _ = await self._direct_get({"seq": seq, "next_by_subj": subject, "batch": 1}, subject)
        found = [m for m in answer if int(m.headers["Nats-Sequence"]) == seq]
        return RawMessage(seq, subject, found[0].data, found[0].headers.get(EVENT_TYPE_HEADER)) if found else None

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
        answer = await self._replies.ask(f"$JS.API.DIRECT.GET.{STREAM}", json.dumps(request).encode())
        try:
            messages = []
            while True:
                msg = await answer.next()
                headers = msg.headers or {}
                status = headers.get("Status")
                if status == "404":  # nothing matched
                    return messages, 0
                if status == "204":  # end of the answer
                    return messages, int(headers.get("Nats-Num-Pending", 0))
                if status:
                    why = next((v for k, v in headers.items() if k == "Description"), "")
                    raise RuntimeError(f"direct get of {what} failed with status {status}: {why}")
                messages.append(msg)
        finally:
            answer.close()
