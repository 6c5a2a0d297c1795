"""Care activity handlers: a pair's activity on the pair, a collective one on its station or team.

Both retry on a conflict: an activity is appended whatever else was logged for the pair or the
station meanwhile; only a pair ended (or a station closed) in between changes the outcome, and the
retry decides again on the reloaded history.
"""

from __future__ import annotations

from typing import Any

from contracts.care import LogActivity, LogCollectiveActivity
from contracts.regions import parse_region
from services.activity.care_domain import (
    decide_log_activity,
    decide_log_collective,
    host_of,
    host_state,
    note_holder,
)
from services.pairing.handlers import load_pair
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id, retry_on_conflict


@retry_on_conflict()
async def log_activity(deps: Deps, command: LogActivity) -> dict[str, Any]:
    activity_id = command.activity_id or derived_id(command.command_id, "activity")
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)
    if earlier := uow.earlier_result():
        return {"activity_id": activity_id, **earlier}
    # Decided before sealing, so that no key is made for a child the command names wrongly.
    [event] = decide_log_activity(pair, command, activity_id=activity_id, today=uow.now.date())
    if command.note:
        note = await deps.keys.seal(note_holder(pair, event), {"note": command.note})
        event = event.model_copy(update={"note": note})
    return {"activity_id": activity_id, **await uow.commit([event])}


@retry_on_conflict()
async def log_collective_activity(deps: Deps, command: LogCollectiveActivity) -> dict[str, Any]:
    activity_id = command.activity_id or derived_id(command.command_id, "activity")
    kind, host_id = host_of(command)
    uow = UnitOfWork(deps, command)
    history = await uow.load(kind, host_id)
    host = host_state(kind, host_id, uow.events_of(history))
    if earlier := uow.earlier_result():
        return {"activity_id": activity_id, **earlier}
    if host.exists:
        require_within(command.actor, parse_region(host.region), f"this {kind}")
    [event] = decide_log_collective(host, command, activity_id=activity_id, today=uow.now.date())
    if command.note:
        # Many children's names may be in it: sealed under the activity's own key, erasable alone.
        note = await deps.keys.seal(f"activity-{activity_id}", {"note": command.note})
        event = event.model_copy(update={"note": note})
    return {"activity_id": activity_id, **await uow.commit([event])}
