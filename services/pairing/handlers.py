"""Pairing command handlers: invariants are checked on the children's and volunteers' histories
(intake's) and on their pairs (pairing's own)."""

from __future__ import annotations

import asyncio
from typing import Any

from contracts.envelope import Event
from contracts.pairing.pairs import EndPair, FormPair
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
from services.pairing.members import (CHILD_PAIRS, VOLUNTEER_PAIRS, Memberships, child_pairs, former_aggregate,
                                      volunteer_pairs)
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id


async def form_pair(deps: Deps, command: FormPair) -> dict[str, Any]:
    pair_id = command.pair_id or derived_id(command.command_id, "pair")
    uow = UnitOfWork(deps, command)
    pair, (children, volunteers, pairs) = await asyncio.gather(
        uow.state("pair", pair_id, pair_state), load_members(uow, command.child_ids, command.volunteer_ids))

    def decide():  # the members' regions are checked only for a new command, not for a retry
        require_within_members(uow, children, volunteers)
        return decide_form_pair(pair, command, pair_id=pair_id, children=children, volunteers=volunteers,
                                pairs=pairs, today=uow.now.date())
    return await uow.decide_and_commit(decide, pair_id=pair_id)


async def end_pair(deps: Deps, command: EndPair) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)

    async def decide():
        # The members' regions, where their pairs are written; their histories take part in the
        # concurrency check.
        children, volunteers, _ = await load_members(uow, list(pair.child_ids), list(pair.volunteer_ids))
        return decide_end_pair(pair, command, children=children, volunteers=volunteers, today=uow.now.date())
    return await uow.decide_and_commit(decide, pair_id=command.pair_id)


async def load_pair(uow: UnitOfWork, pair_id: str) -> PairState:
    pair = await uow.state("pair", pair_id, pair_state)
    if pair.exists:
        require_within(uow.command.actor, parse_region(pair.region), "this pair")
    return pair


async def load_members(uow: UnitOfWork, child_ids: list[str], volunteer_ids: list[str]
                       ) -> tuple[dict[str, ChildState], dict[str, VolunteerState], Memberships]:
    """The members as intake has them and their pairs as pairing has them, loaded at once."""
    children, volunteers = list(dict.fromkeys(child_ids)), list(dict.fromkeys(volunteer_ids))
    found = await asyncio.gather(*(person(uow, CHILD_PAIRS, c) for c in children),
                                 *(person(uow, VOLUNTEER_PAIRS, v) for v in volunteers))
    of_children, of_volunteers = found[:len(children)], found[len(children):]
    return ({c: child_state(own) for c, (own, _) in zip(children, of_children, strict=True)},
            {v: volunteer_state(own) for v, (own, _) in zip(volunteers, of_volunteers, strict=True)},
            Memberships({c: child_pairs(pairs) for c, (_, pairs) in zip(children, of_children, strict=True)},
                        {v: volunteer_pairs(pairs) for v, (_, pairs) in zip(volunteers, of_volunteers, strict=True)}))


async def person(uow: UnitOfWork, pairs_type: str, person_id: str) -> tuple[list[Event], list[Event]]:
    """A person's history (intake's child or volunteer) and the events of her pairs (pairing's
    `pairing_child` or `pairing_volunteer`, after those a log written before stored on her), read
    together: pairing's events on her pairs are refused if intake wrote on her since, and the
    other way round, as when both lived on one subject."""
    own_type = former_aggregate(pairs_type)
    histories = await uow.load_together(person_id, own_type, pairs_type)
    own = uow.events_of(histories[own_type])
    return own, own + uow.events_of(histories[pairs_type])


def require_within_members(uow: UnitOfWork, children: dict[str, ChildState],
                            volunteers: dict[str, VolunteerState]) -> None:
    for child in children.values():
        if child.exists:
            require_within(uow.command.actor, parse_region(child.region), "a pair for this child")
    for volunteer in volunteers.values():
        if volunteer.exists:
            require_within(uow.command.actor, parse_region(volunteer.region), "a pair for this volunteer")
