"""Activity command handlers: visits for active pairs, wishes for known children."""

from __future__ import annotations

from typing import Any

from contracts.activity import LogVisit, SubmitWish
from contracts.regions import parse_region
from services.activity.domain import decide_log_visit, decide_submit_wish, wish_state
from services.intake.domain import child_state
from services.pairing.handlers import load_pair
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id, retry_on_conflict


@retry_on_conflict()
async def log_visit(deps: Deps, command: LogVisit) -> dict[str, Any]:
    visit_id = command.visit_id or derived_id(command.command_id, "visit")
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)
    if earlier := uow.earlier_result():
        return {"visit_id": visit_id, **earlier}
    note = None
    if command.note and pair.child_ids:
        note = await deps.keys.seal(pair.child_ids[0], {"note": command.note})
    events = decide_log_visit(pair, command, visit_id=visit_id, today=uow.now.date(), note=note)
    return {"visit_id": visit_id, **await uow.commit(events)}


async def submit_wish(deps: Deps, command: SubmitWish) -> dict[str, Any]:
    wish_id = command.wish_id or derived_id(command.command_id, "wish")
    uow = UnitOfWork(deps, command)
    wish = wish_state(uow.events_of(await uow.load("wish", wish_id)))
    child = child_state(uow.events_of(await uow.load("child", command.child_id)))
    if earlier := uow.earlier_result():
        return {"wish_id": wish_id, **earlier}
    if child.exists:
        require_within(command.actor, parse_region(child.region), "this child")
    events = decide_submit_wish(wish, child, command, wish_id=wish_id)
    return {"wish_id": wish_id, **await uow.commit(events)}
