"""An aggregate's history over HTTP: who, when, where — personal data stays sealed, and free text
(a wish's item, a withdrawal's reason, evidence) is withheld from roles that see no personal data.

The history is read only within the caller's subtree: the aggregate belongs to the region of its
last event (a child that moved belongs to her new district). The actor of each event is always
shown: who did what is the point of a history, and operators are not the data subjects here.
"""

from __future__ import annotations

import enum
import typing
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from contracts.registry import event_types
from contracts.subjects import ANY_AGGREGATE
from services.api.auth import Caller, signed_in
from services.api.deps import Log
from services.api.scope import log_children_read, require_readable
from services.api.schemas import History, read
from services.shared.eventlog import MalformedEvent, StoredEvent

# A person's history is her file (intake's) with her pairs (pairing's aggregate of the same id) and,
# a child's, her care tier (activity's); a pair's, a station's or a team's is it with its care (activity's).
TOLD_WITH = {"child": ("pairing_child", "child_care"), "volunteer": ("pairing_volunteer",), "pair": ("pair_care",),
             "station": ("station_care",), "team": ("team_care",)}
# Accounts live outside the domain log (their own subjects, read at /accounts); a parked event's
# record is the operators' (aixin doctor).
NOT_HISTORIES = frozenset({"account", "parked_event"})
EVENT_TYPES = event_types()
# Every aggregate type of the contract that has a history of its own, from the registry of events.
AGGREGATE_TYPES = tuple(sorted({cls.aggregate_type for cls in EVENT_TYPES.values()} - NOT_HISTORIES
                               - {part for parts in TOLD_WITH.values() for part in parts}))
SEALED_MARK = "<sealed>"
WITHHELD_MARK = "<withheld>"
# Fields that may hold free text about a person; withheld unless their type is a closed vocabulary
# (an enum such as PairEndReason says nothing of anyone in particular).
FREE_TEXT_FIELDS = frozenset({"item", "note", "notes", "reason", "name", "donor", "certification", "evidence",
                              "raised_by", "professional_name", "details", "given_by", "guardian", "personal"})
router = APIRouter(tags=["log"])


@router.get("/history/{aggregate_type}/{aggregate_id}", **read(History))
async def history(aggregate_type: str, aggregate_id: str, request: Request, event_log: Log,
                  caller: Caller = Depends(signed_in)) -> dict:
    """The aggregate's events in log order, for an aggregate within the caller's subtree."""
    if aggregate_type not in AGGREGATE_TYPES:
        raise HTTPException(422, f"aggregate type {aggregate_type!r} is not one of {', '.join(AGGREGATE_TYPES)}")
    if not aggregate_id.replace("-", "").replace("_", "").isalnum():
        raise HTTPException(422, f"{aggregate_id!r} is not a valid id")
    try:
        loaded = await _load(event_log, aggregate_type, aggregate_id)
    except MalformedEvent as bad:  # said plainly; the message itself is in the dead letters
        raise HTTPException(409, f"the history of {aggregate_type} {aggregate_id} holds a message that "
                                 f"cannot be read at stream sequence {bad.seq}: {bad.reason}") from None
    if not loaded.exists:
        raise HTTPException(404, f"no {aggregate_type} with id {aggregate_id}")
    region = loaded.events[-1].envelope.region
    require_readable(caller, region, f"the history of {aggregate_type} {aggregate_id}")
    personal = caller.sees_personal_data
    if personal:  # the particulars of the children it names are read
        await log_children_read(request, caller, ((c, region) for c in _children_named(loaded.events)))
    return {"aggregate_type": aggregate_type, "aggregate_id": aggregate_id,
            "events": [history_view(stored, personal) for stored in loaded.events]}


async def _load(event_log, aggregate_type: str, aggregate_id: str):
    if aggregate_type not in TOLD_WITH:
        return await event_log.load(aggregate_type, aggregate_id)
    loaded = await event_log.load(ANY_AGGREGATE, aggregate_id)  # in log order, both at once
    told = {aggregate_type, *TOLD_WITH[aggregate_type]}
    loaded.events = [e for e in loaded.events if e.envelope.aggregate_type in told]
    if loaded.events and loaded.events[0].envelope.aggregate_type != aggregate_type:
        loaded.events = []  # pairs of no one on file: nobody's history
    return loaded


def history_view(stored: StoredEvent, personal: bool = True) -> dict[str, Any]:
    envelope = stored.envelope
    withheld = set() if personal else _free_text(envelope.event_type)
    return {
        "seq": stored.seq,
        "version": envelope.aggregate_version,
        "event_type": envelope.event_type,
        "occurred_at": envelope.occurred_at.isoformat(),
        "recorded_at": envelope.recorded_at.isoformat(),
        "actor": envelope.actor.model_dump(mode="json"),
        "region": envelope.region,
        "causation_id": envelope.causation_id,
        "data": {key: _shown(value, key in withheld) for key, value in envelope.data.items()},
    }


def _children_named(events: list[StoredEvent]) -> list[str]:
    found: list[str] = []
    for stored in events:
        envelope = stored.envelope
        ids = [envelope.aggregate_id] if envelope.aggregate_type == "child" else []
        ids += [envelope.data["child_id"]] if isinstance(envelope.data.get("child_id"), str) else []
        ids += [c for c in envelope.data.get("child_ids") or () if isinstance(c, str)]
        found += [c for c in ids if c not in found]
    return found


def _free_text(event_type: str) -> set[str]:
    """The FREE_TEXT_FIELDS of an event type that are not enums; all of them for an unknown type."""
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        return set(FREE_TEXT_FIELDS)
    return {name for name, info in cls.model_fields.items()
            if name in FREE_TEXT_FIELDS and not _is_enum(info.annotation)}


def _is_enum(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, enum.Enum)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return bool(args) and all(_is_enum(a) for a in args)


def _shown(value: Any, withheld: bool) -> Any:
    if isinstance(value, dict) and {"key_id", "nonce", "ciphertext"} <= value.keys():
        return SEALED_MARK  # whoever asks: the history never opens a sealed value
    if withheld and value not in (None, [], ()):  # that there is none is no one's personal data
        return WITHHELD_MARK
    return value
