"""Care handlers: a visit and a pair's activity on the pair's care, a collective one on its station's
or team's care: activity's own aggregates, keyed by the id of the pair (pairing's), the station or
the team (intake's), and read together with it (`UnitOfWork.load_together`), so that an activity is
refused if the pair ended, or the station closed, since it was read, as when both were one subject.

All retry on a conflict: an activity is appended whatever else was logged for the pair or the
station meanwhile; only a pair ended (or a station closed) in between changes the outcome, and the
retry decides again on the reloaded history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.activity.care import (LogActivity, LogCollectiveActivity, LogVisit, StationActivityLogged,
                                     TeamActivityLogged, VisitLogged)
from contracts.regions import parse_region
from services.activity.care.activities import (
    decide_log_activity,
    decide_log_collective,
    host_of,
    host_state,
    note_holder,
)
from services.activity.care.visits import decide_log_visit
from services.intake.domain import child_state
from services.pairing.domain import PairState
from services.pairing.handlers import load_pair
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id, retry_on_conflict

PAIR_CARE = VisitLogged.aggregate_type  # and ActivityLogged's
HOST_CARE = {"station": StationActivityLogged.aggregate_type, "team": TeamActivityLogged.aggregate_type}


@retry_on_conflict()
async def log_visit(deps: Deps, command: LogVisit) -> dict[str, Any]:
    visit_id = command.visit_id or derived_id(command.command_id, "visit")
    uow = UnitOfWork(deps, command)
    await uow.load_together(command.pair_id, "pair", PAIR_CARE)
    pair = await load_pair(uow, command.pair_id)

    async def decide():  # a retry seals nothing
        births = await _births(uow, pair)
        note = None
        if command.note and pair.child_ids:
            note = await deps.keys.seal(pair.child_ids[0], {"note": command.note})
        return decide_log_visit(pair, command, visit_id=visit_id, today=uow.now.date(), note=note,
                                births=births)
    return await uow.decide_and_commit(decide, visit_id=visit_id)


@retry_on_conflict()
async def log_activity(deps: Deps, command: LogActivity) -> dict[str, Any]:
    activity_id = command.activity_id or derived_id(command.command_id, "activity")
    uow = UnitOfWork(deps, command)
    await uow.load_together(command.pair_id, "pair", PAIR_CARE)
    pair = await load_pair(uow, command.pair_id)

    async def decide():
        # Decided before sealing, so that no key is made for a child the command names wrongly.
        [event] = decide_log_activity(pair, command, activity_id=activity_id, today=uow.now.date(),
                                      births=await _births(uow, pair))
        if command.note:
            note = await deps.keys.seal(note_holder(pair, event), {"note": command.note})
            event = event.model_copy(update={"note": note})
        return [event]
    return await uow.decide_and_commit(decide, activity_id=activity_id)


@retry_on_conflict()
async def log_collective_activity(deps: Deps, command: LogCollectiveActivity) -> dict[str, Any]:
    activity_id = command.activity_id or derived_id(command.command_id, "activity")
    kind, host_id = host_of(command)
    uow = UnitOfWork(deps, command)
    await uow.load_together(host_id, kind, HOST_CARE[kind])
    host = await uow.state(kind, host_id, lambda events: host_state(kind, host_id, events))

    async def decide():  # a retry is answered before the host's region is checked
        if host.exists:
            require_within(command.actor, parse_region(host.region), f"this {kind}")
        [event] = decide_log_collective(host, command, activity_id=activity_id, today=uow.now.date())
        if command.note:
            # Many children's names may be in it: sealed under the activity's own key, erasable alone.
            note = await deps.keys.seal(f"activity-{activity_id}", {"note": command.note})
            event = event.model_copy(update={"note": note})
        return [event]
    return await uow.decide_and_commit(decide, activity_id=activity_id)


async def _births(uow: UnitOfWork, pair: PairState) -> dict[str, date | None]:
    """The pair's children's birth dates, loaded only for a new command (in its decide): a retry is
    answered from the pair's history alone."""
    return {c: (await uow.state("child", c, child_state)).birth_date for c in pair.child_ids}
