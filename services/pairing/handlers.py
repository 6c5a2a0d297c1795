"""Pairing command handlers: invariants are checked on the children's and volunteers' histories."""

from __future__ import annotations

from typing import Any

from contracts.pairing import EndPair, FormPair
from contracts.regions import parse_region
from services.intake.domain import child_state, volunteer_state
from services.pairing.domain import decide_end_pair, decide_form_pair, pair_state
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id


async def form_pair(deps: Deps, command: FormPair) -> dict[str, Any]:
    pair_id = command.pair_id or derived_id(command.command_id, "pair")
    uow = UnitOfWork(deps, command)
    pair = pair_state(uow.events_of(await uow.load("pair", pair_id)))
    children = {c: child_state(uow.events_of(await uow.load("child", c))) for c in command.child_ids}
    volunteers = {v: volunteer_state(uow.events_of(await uow.load("volunteer", v)))
                  for v in command.volunteer_ids}
    if earlier := uow.earlier_result():
        return {"pair_id": pair_id, **earlier}
    for child in children.values():
        if child.exists:
            require_within(command.actor, parse_region(child.region), "a pair for this child")
    for volunteer in volunteers.values():
        if volunteer.exists:
            require_within(command.actor, parse_region(volunteer.region), "a pair for this volunteer")
    events = decide_form_pair(pair, command, pair_id=pair_id, children=children, volunteers=volunteers,
                              today=uow.now.date())
    return {"pair_id": pair_id, **await uow.commit(events)}


async def end_pair(deps: Deps, command: EndPair) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    history = await uow.load("pair", command.pair_id)
    pair = pair_state(uow.events_of(history))
    if earlier := uow.earlier_result():
        return {"pair_id": command.pair_id, **earlier}
    if pair.exists:
        require_within(command.actor, parse_region(pair.region), "this pair")
        # Load the members so that their histories take part in the concurrency check.
        for child_id in pair.child_ids:
            await uow.load("child", child_id)
        for volunteer_id in pair.volunteer_ids:
            await uow.load("volunteer", volunteer_id)
    events = decide_end_pair(pair, command)
    return {"pair_id": command.pair_id, **await uow.commit(events)}
