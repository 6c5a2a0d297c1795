"""Pairing command handlers: invariants are checked on the children's and volunteers' histories."""

from __future__ import annotations

import asyncio
from typing import Any

from contracts.pairing import EndPair, FormPair
from contracts.regions import parse_region
from services.intake.domain import (
    ChildState,
    VolunteerState,
    child_state,
    volunteer_state,
)
from services.pairing.domain import (
    PairState,
    decide_end_pair,
    decide_form_pair,
    pair_state,
)
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id


async def form_pair(deps: Deps, command: FormPair) -> dict[str, Any]:
    pair_id = command.pair_id or derived_id(command.command_id, "pair")
    uow = UnitOfWork(deps, command)
    pair, (children, volunteers) = await asyncio.gather(
        uow.state("pair", pair_id, pair_state), load_members(uow, command.child_ids, command.volunteer_ids))

    def decide():  # the members' regions are checked only for a new command, not for a retry
        require_within_members(uow, children, volunteers)
        return decide_form_pair(pair, command, pair_id=pair_id, children=children, volunteers=volunteers,
                                today=uow.now.date())
    return await uow.decide_and_commit(decide, pair_id=pair_id)


async def end_pair(deps: Deps, command: EndPair) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)

    async def decide():
        # Load the members so that their histories take part in the concurrency check.
        await load_members(uow, list(pair.child_ids), list(pair.volunteer_ids))
        return decide_end_pair(pair, command)
    return await uow.decide_and_commit(decide, pair_id=command.pair_id)


async def load_pair(uow: UnitOfWork, pair_id: str) -> PairState:
    pair = await uow.state("pair", pair_id, pair_state)
    if pair.exists:
        require_within(uow.command.actor, parse_region(pair.region), "this pair")
    return pair


async def load_members(uow: UnitOfWork, child_ids: list[str], volunteer_ids: list[str]
                   ) -> tuple[dict[str, ChildState], dict[str, VolunteerState]]:
    """Loaded at once, each a round trip of its own to the log."""
    children, volunteers = list(dict.fromkeys(child_ids)), list(dict.fromkeys(volunteer_ids))
    states = await asyncio.gather(*(uow.state("child", c, child_state) for c in children),
                                  *(uow.state("volunteer", v, volunteer_state) for v in volunteers))
    return dict(zip(children, states[:len(children)], strict=True)), \
        dict(zip(volunteers, states[len(children):], strict=True))


def require_within_members(uow: UnitOfWork, children: dict[str, ChildState],
                            volunteers: dict[str, VolunteerState]) -> None:
    for child in children.values():
        if child.exists:
            require_within(uow.command.actor, parse_region(child.region), "a pair for this child")
    for volunteer in volunteers.values():
        if volunteer.exists:
            require_within(uow.command.actor, parse_region(volunteer.region), "a pair for this volunteer")
