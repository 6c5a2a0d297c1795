"""The files of a child (一人一档), a volunteer and a pair over HTTP: every event of the person's own
history and of the aggregates her file holds (her pairs, with their visits; her wishes and concerns:
services.projections.file_records), in the order they occurred, with the names of the people in them.

For a role that works with files (caseworker, approver) the sealed particulars are opened — her
name and guardian, the risk tier's reason, a survey's notes, a visit's note, a wish's item — and
every child the answer names is written to the access log before it leaves (a volunteer's file with
no child in it is logged all the same, under the volunteer's region). For the other roles the file
is the history's: sealed values stay sealed, free text is withheld, no name is given."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Depends, HTTPException, Path, Request

from contracts.privacy import ERASED, UNREADABLE
from contracts.subjects import ANY_AGGREGATE
from services.api.auth import Caller, log_access, signed_in
from services.api.deps import Engine, Keys, Log
from services.api.history import history_view
from services.api.names import names_for
from services.api.schemas import Answer, Row, read
from services.api.scope import log_children_read, require_readable
from services.projections.file_records import records_of
from services.shared.eventlog import EventLog, MalformedEvent, StoredEvent
from services.shared.privacy import KeyStore

router = APIRouter(tags=["files"])
ID_PATTERN = r"^[A-Za-z0-9_-]+$"
SEALED_FIELDS = frozenset({"key_id", "nonce", "ciphertext"})


class File(Answer):
    """A file: whose it is, where it stands, the names of the people in it (for roles that may read
    them), the wishes and concerns it holds (a child's) and every event, oldest first; each event as
    GET /history gives it, with `aggregate_type` and `aggregate_id` beside it."""
    kind: str
    id: str
    region: str
    personal: bool
    children: dict[str, str]
    volunteers: dict[str, str]
    records: list[Row]
    events: list[Row]


@router.get("/children/{child_id}/file", **read(File))
async def child_file(request: Request, db: Engine, keys: Keys, event_log: Log,
                     child_id: str = Path(max_length=64, pattern=ID_PATTERN),
                     caller: Caller = Depends(signed_in)) -> dict:
    """A child's file: her history, her pairs' (visits included), her wishes' and her concerns'."""
    return await _person_file(request, caller, db, keys, event_log, "child", child_id)


@router.get("/volunteers/{volunteer_id}/file", **read(File))
async def volunteer_file(request: Request, db: Engine, keys: Keys, event_log: Log,
                         volunteer_id: str = Path(max_length=64, pattern=ID_PATTERN),
                         caller: Caller = Depends(signed_in)) -> dict:
    """A volunteer's file: her history and her pairs' (the children she cares for, the visits)."""
    return await _person_file(request, caller, db, keys, event_log, "volunteer", volunteer_id)


async def _person_file(request: Request, caller: Caller, db, keys: KeyStore, event_log: EventLog, kind: str,
                       person_id: str) -> dict:
    own = await _loaded(event_log, kind, person_id)
    region = _region(own, kind)
    require_readable(caller, region, f"the file of {kind} {person_id}")
    async with db.connect() as conn:
        records = await records_of(conn, person_id)
    related = [(r["kind"], r["record_id"]) for r in records]
    return await _answer(request, caller, db, keys, event_log, (kind, person_id, region), own, related, records)


@router.get("/pairs/{pair_id}/file", **read(File))
async def pair_file(request: Request, db: Engine, keys: Keys, event_log: Log,
                    pair_id: str = Path(max_length=64, pattern=ID_PATTERN),
                    caller: Caller = Depends(signed_in)) -> dict:
    """A pair's file: its history (proposed, approved, formed, visits, ended), its people named."""
    own = await _loaded(event_log, "pair", pair_id)
    region = _region(own, "pair")
    require_readable(caller, region, f"the file of pair {pair_id}")
    return await _answer(request, caller, db, keys, event_log, ("pair", pair_id, region), own, [])


async def _answer(request: Request, caller: Caller, db, keys: KeyStore, event_log: EventLog,
                  whose: tuple[str, str, str], own: list[StoredEvent], related: list[tuple[str, str]],
                  records: list[dict] | None = None) -> dict:
    kind, the_id, region = whose
    events = [(kind, the_id, stored) for stored in own]
    for aggregate_type, aggregate_id in related:
        events += [(aggregate_type, aggregate_id, stored) for stored in await _loaded(event_log, aggregate_type,
                                                                                      aggregate_id, missing=[])]
    events.sort(key=lambda e: (e[2].envelope.occurred_at, e[2].seq))
    children, volunteers = _people(e[2] for e in events)
    async with db.connect() as conn:
        names = await names_for(conn, keys, caller, children, volunteers)
    personal = caller.sees_personal_data
    if personal:  # before the answer leaves: every child it names, and the file itself
        await log_children_read(request, caller, names.regions.items())
        if not names.regions:
            await log_access(request, caller, request.scope["route"].path, [], region)
    shown = [{"aggregate_type": t, "aggregate_id": i,
              **(await _opened_view(keys, stored) if personal else history_view(stored, personal=False))}
             for t, i, stored in events]
    return {"kind": kind, "id": the_id, "region": region, "personal": personal, "children": names.children,
            "volunteers": names.volunteers, "records": records or [], "events": shown}


async def _loaded(event_log: EventLog, aggregate_type: str, aggregate_id: str,
                  missing: list | None = None) -> list[StoredEvent]:
    """The events of every aggregate of the id, in log order: the record's own and what another
    context keeps under the same id (a person's pairs, a pair's care); 404 unless the record's own
    aggregate is among them (or `missing`, for one a file merely links)."""
    try:
        events = await _every_aggregate_of(event_log, aggregate_id)
    except MalformedEvent as bad:
        raise HTTPException(409, f"the history of {aggregate_type} {aggregate_id} holds a message that "
                                 f"cannot be read at stream sequence {bad.seq}: {bad.reason}") from None
    if not any(stored.envelope.aggregate_type == aggregate_type for stored in events):
        if missing is not None:
            return missing
        raise HTTPException(404, f"no {aggregate_type} with id {aggregate_id}")
    return events


async def _every_aggregate_of(event_log: EventLog, aggregate_id: str) -> list[StoredEvent]:
    """Found by the log's subject index (the last message of each subject of the id, whatever its
    type), then each aggregate read by its own subjects: a wildcard read of the id's history scans
    the log from its start, which at the demo's size took a file 40-180 ms."""
    found = (await event_log.subjects_of(ANY_AGGREGATE, [aggregate_id])).get(aggregate_id, [])
    events: list[StoredEvent] = []
    for aggregate_type in dict.fromkeys(subject.split(".")[-2] for subject in found):
        await event_log.subjects_of(aggregate_type, [aggregate_id])  # remembered: read literally below
        events += (await event_log.load(aggregate_type, aggregate_id)).events
    return sorted(events, key=lambda stored: stored.seq)


def _region(events: list[StoredEvent], aggregate_type: str) -> str:
    """Where the record is now: the region of its own aggregate's last event (a child who moved is
    read within her new district's subtree)."""
    return next(e.envelope.region for e in reversed(events) if e.envelope.aggregate_type == aggregate_type)


def _people(events) -> tuple[list[str], list[str]]:
    """The children and volunteers the events name, each once."""
    children, volunteers = {}, {}
    for stored in events:
        data = stored.envelope.data
        for key, into in (("child_id", children), ("volunteer_id", volunteers)):
            if isinstance(data.get(key), str):
                into[data[key]] = None
        for key, into in (("child_ids", children), ("volunteer_ids", volunteers)):
            into.update((i, None) for i in data.get(key) or () if isinstance(i, str))
    return list(children), list(volunteers)


async def _opened_view(keys: KeyStore, stored: StoredEvent) -> dict:
    view = history_view(stored, personal=True)
    view["data"] = {key: await _opened(keys, value) for key, value in stored.envelope.data.items()}
    return view


async def _opened(keys: KeyStore, value: object) -> object:
    """A sealed value opened: its one field's text (a reason, a note, an item, a guardian's name),
    or its fields (a child's particulars); ERASED once its key is destroyed, UNREADABLE for one that
    does not open (forged or damaged), so one bad value never hides the rest of a file."""
    if isinstance(value, dict) and set(value) == {"plaintext"}:
        return value["plaintext"]  # a LegacyPlaintext: text stored before its field was sealed
    if not (isinstance(value, dict) and SEALED_FIELDS <= value.keys()):
        return value
    try:
        opened = await keys.unseal(value)
    except (InvalidTag, ValueError, TypeError):
        return UNREADABLE
    if opened is None:
        return ERASED
    return next(iter(opened.values())) if len(opened) == 1 else opened
