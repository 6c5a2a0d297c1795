"""What an operator repairs: the messages of the log that cannot be read, as the log followers met
them, and sealed personal data that cannot be opened although its key was never destroyed (forged,
or damaged; services.shared.unopenable) — for admins and systems, their subtree; a subject and a
reason hold no personal data. And the events a read model could not apply (parked, with the later
events of their aggregates held behind them), with the error — for admins, their subtree."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from contracts.accounts import Role
from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys, Log
from services.api.schemas import Parked, Unreadable, read
from services.shared.follower.unreadable import parked_in, unreadable_in
from services.shared.unopenable import unopenable_in

router = APIRouter(tags=["operations"])


@router.get("/operations/unreadable", **read(Unreadable))
async def unreadable(db: Engine, event_log: Log, keys: Keys, caller: Caller = Depends(signed_in)) -> dict:
    """Messages of the log that are not aixin events or do not fit their type (`kind` "message":
    commands on that aggregate are refused until it is repaired), and sealed personal data that
    does not open with its person's key (`kind` "sealed"; an erased person's does not count):
    stream sequence, subject, the aggregate and region it names, and why, in log order."""
    caller.require(Role.admin, Role.system)
    async with db.connect() as conn:
        messages = await unreadable_in(conn, caller.office)
    sealed = await unopenable_in(event_log, keys, caller.office)
    found = [{**entry, "kind": "message"} for entry in messages] + [{**entry, "kind": "sealed"} for entry in sealed]
    return {"office": caller.office.code, "unreadable": sorted(found, key=lambda entry: entry["seq"])}


@router.get("/operations/parked", **read(Parked))
async def parked(db: Engine, caller: Caller = Depends(signed_in)) -> dict:
    """Events a read model could not apply (`held_behind` null, with its `error`) and the later
    events of the same aggregate held behind them, by read model, in log order: stream
    sequence, subject, event type, aggregate, region, when. `aixin doctor retry` applies them
    again, `aixin doctor skip` drops one (recorded in the log)."""
    caller.require(Role.admin, Role.system)
    async with db.connect() as conn:
        found = await parked_in(conn, caller.office)
    return {"office": caller.office.code, "parked": found}
