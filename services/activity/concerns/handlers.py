"""Concern handlers: seal what is written about the child with the child's key, decide, and append
the concern's step together with the child's new tier, if the step sets one, in one atomic batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from contracts.concerns import CloseConcern, FollowUpConcern, RaiseConcern, ReferConcern
from contracts.envelope import Event
from contracts.privacy import Sealed
from contracts.regions import parse_region
from services.activity.concerns import domain as casework
from services.activity.concerns.domain import Concern, concern_state
from services.intake.domain import ChildState, child_state, volunteer_state
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id

Step = FollowUpConcern | ReferConcern | CloseConcern
Decide = Callable[[Concern, ChildState, Sealed | None], Awaitable[list[Event]]]


async def raise_concern(deps: Deps, command: RaiseConcern) -> dict[str, Any]:
    concern_id = command.concern_id or derived_id(command.command_id, "concern")
    uow = UnitOfWork(deps, command)
    exists = (await uow.load("concern", concern_id)).exists
    child = await uow.state("child", command.child_id, child_state)
    if child.exists:
        require_within(command.actor, parse_region(child.region), "this child")
    volunteer_known = False
    if command.raised_by:
        volunteer_known = (await uow.state("volunteer", command.raised_by, volunteer_state)).exists

    async def decide():  # a retry seals nothing
        note = reason = None
        if child.exists:  # an unknown child has no key to seal with: the decision refuses it
            note = await deps.keys.seal(command.child_id, {"note": command.note})
            reason = await _tier_reason(deps, command.child_id, concern_id, "raised", command)
        return casework.decide_raise(exists, child, command, concern_id=concern_id, today=uow.now.date(),
                                     volunteer_known=volunteer_known, note=note, tier_reason=reason)
    return await uow.decide_and_commit(decide, concern_id=concern_id)


async def refer_concern(deps: Deps, command: ReferConcern) -> dict[str, Any]:
    async def decide(concern: Concern, child: ChildState, reason: Sealed | None) -> list[Event]:
        details = None
        if command.professional_name or command.note:
            details = await deps.keys.seal(concern.child_id, {"professional_name": command.professional_name,
                                                              "note": command.note})
        return casework.decide_refer(concern, child, command, today=deps.clock().date(), details=details,
                                     tier_reason=reason)
    return await _step(deps, command, "referred", decide)


async def follow_up_concern(deps: Deps, command: FollowUpConcern) -> dict[str, Any]:
    async def decide(concern: Concern, child: ChildState, reason: Sealed | None) -> list[Event]:
        note = await deps.keys.seal(concern.child_id, {"note": command.note})
        return casework.decide_follow_up(concern, child, command, today=deps.clock().date(), note=note,
                                         tier_reason=reason)
    return await _step(deps, command, "followed up", decide)


async def close_concern(deps: Deps, command: CloseConcern) -> dict[str, Any]:
    async def decide(concern: Concern, child: ChildState, reason: Sealed | None) -> list[Event]:
        note = await deps.keys.seal(concern.child_id, {"note": command.note}) if command.note else None
        return casework.decide_close(concern, child, command, today=deps.clock().date(), note=note,
                                     tier_reason=reason)
    return await _step(deps, command, "closed", decide)


async def _step(deps: Deps, command: Step, step: str, decide: Decide) -> dict[str, Any]:
    """Load the concern and its child; a retried command gets its first result; an unknown or
    closed concern is refused before anything is sealed for it."""
    uow = UnitOfWork(deps, command)
    history = await uow.load("concern", command.concern_id)
    concern = await uow.state("concern", command.concern_id, concern_state)
    child = ChildState()
    if concern.exists:
        require_within(command.actor, parse_region(history.events[-1].envelope.region), "this concern")
        child = await uow.state("child", concern.child_id, child_state)

    async def decide_step() -> list[Event]:
        casework.require_open(concern, command.concern_id)
        reason = await _tier_reason(deps, concern.child_id, command.concern_id, step, command)
        return await decide(concern, child, reason)
    return await uow.decide_and_commit(decide_step, concern_id=command.concern_id)


async def _tier_reason(deps: Deps, child_id: str, concern_id: str, step: str, command) -> Sealed | None:
    """The sealed reason of a tier change, as an assessment in the child's file would have one."""
    if command.tier is None:
        return None
    return await deps.keys.seal(child_id, {"reason": f"concern {concern_id} {step}"})
