"""Concern and care tier handlers: seal what is written about the child with the child's key, decide,
and append the concern's step together with the child's new tier, if the step sets one, in one atomic
batch.

The tier is activity's aggregate of the child's id (`child_care`), her file intake's: both are read
together (`UnitOfWork.load_together`), so that a tier set as she exits is refused, or her exit is,
whichever is appended second, as when both were one subject. An assessment retries on a conflict: it
is recorded whatever else was written of her meanwhile, unless she left."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from contracts.activity.concerns import (AssessRisk, ChildRiskAssessed, CloseConcern, FORMER_AGGREGATES,
                                         FollowUpConcern, RaiseConcern, ReferConcern, RiskTier)
from contracts.envelope import Event
from contracts.privacy import Sealed
from contracts.regions import parse_region
from services.activity.concerns import domain as casework
from services.activity.concerns.domain import Concern, concern_state
from services.activity.concerns.tier import care_tier, decide_assess_risk
from services.intake.domain import ChildState, child_state, volunteer_state
from services.shared.authority import require_within
from services.shared.eventlog import History
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id, retry_on_conflict

Step = FollowUpConcern | ReferConcern | CloseConcern
Decide = Callable[[Concern, ChildState, RiskTier | None, Sealed | None], Awaitable[list[Event]]]
CHILD_CARE = ChildRiskAssessed.aggregate_type


async def _child_and_tier(uow: UnitOfWork, child_id: str) -> tuple[ChildState, RiskTier | None]:
    """Her file (intake's) and her care tier (ours, after the assessments a log written before
    stored on her file), read together."""
    histories = await uow.load_together(child_id, "child", CHILD_CARE)
    child = child_state(uow.events_of(histories["child"]))
    both = sorted([*histories[FORMER_AGGREGATES[CHILD_CARE]].events, *histories[CHILD_CARE].events],
                  key=lambda stored: stored.seq)
    return child, care_tier(uow.events_of(History(f"{CHILD_CARE} {child_id}", both)))


@retry_on_conflict()
async def assess_risk(deps: Deps, command: AssessRisk) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    child, tier = await _child_and_tier(uow, command.child_id)
    if child.exists:
        require_within(command.actor, parse_region(child.region), "this child")

    async def decide():  # a retry seals nothing
        reason = await deps.keys.seal(command.child_id, {"reason": command.reason})
        return decide_assess_risk(child, tier, command, reason=reason, today=uow.now.date())
    return await uow.decide_and_commit(decide, child_id=command.child_id)


async def raise_concern(deps: Deps, command: RaiseConcern) -> dict[str, Any]:
    concern_id = command.concern_id or derived_id(command.command_id, "concern")
    uow = UnitOfWork(deps, command)
    exists = (await uow.load("concern", concern_id)).exists
    child, tier = await _child_and_tier(uow, command.child_id)
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
        return casework.decide_raise(exists, child, tier, command, concern_id=concern_id, today=uow.now.date(),
                                     volunteer_known=volunteer_known, note=note, tier_reason=reason)
    return await uow.decide_and_commit(decide, concern_id=concern_id)


async def refer_concern(deps: Deps, command: ReferConcern) -> dict[str, Any]:
    async def decide(concern: Concern, child: ChildState, tier: RiskTier | None,
                     reason: Sealed | None) -> list[Event]:
        details = None
        if command.professional_name or command.note:
            details = await deps.keys.seal(concern.child_id, {"professional_name": command.professional_name,
                                                              "note": command.note})
        return casework.decide_refer(concern, child, tier, command, today=deps.clock().date(), details=details,
                                     tier_reason=reason)
    return await _step(deps, command, "referred", decide)


async def follow_up_concern(deps: Deps, command: FollowUpConcern) -> dict[str, Any]:
    async def decide(concern: Concern, child: ChildState, tier: RiskTier | None,
                     reason: Sealed | None) -> list[Event]:
        note = await deps.keys.seal(concern.child_id, {"note": command.note})
        return casework.decide_follow_up(concern, child, tier, command, today=deps.clock().date(), note=note,
                                         tier_reason=reason)
    return await _step(deps, command, "followed up", decide)


async def close_concern(deps: Deps, command: CloseConcern) -> dict[str, Any]:
    async def decide(concern: Concern, child: ChildState, tier: RiskTier | None,
                     reason: Sealed | None) -> list[Event]:
        note = await deps.keys.seal(concern.child_id, {"note": command.note}) if command.note else None
        return casework.decide_close(concern, child, tier, command, today=deps.clock().date(), note=note,
                                     tier_reason=reason)
    return await _step(deps, command, "closed", decide)


async def _step(deps: Deps, command: Step, step: str, decide: Decide) -> dict[str, Any]:
    """Load the concern and its child; a retried command gets its first result; an unknown or
    closed concern is refused before anything is sealed for it."""
    uow = UnitOfWork(deps, command)
    history = await uow.load("concern", command.concern_id)
    concern = await uow.state("concern", command.concern_id, concern_state)
    child, tier = ChildState(), None
    if concern.exists:
        require_within(command.actor, parse_region(history.events[-1].envelope.region), "this concern")
        child, tier = await _child_and_tier(uow, concern.child_id)

    async def decide_step() -> list[Event]:
        casework.require_open(concern, command.concern_id)
        reason = await _tier_reason(deps, concern.child_id, command.concern_id, step, command)
        return await decide(concern, child, tier, reason)
    return await uow.decide_and_commit(decide_step, concern_id=command.concern_id)


async def _tier_reason(deps: Deps, child_id: str, concern_id: str, step: str, command) -> Sealed | None:
    """The sealed reason of a tier change, as an assessment in the child's file would have one."""
    if command.tier is None:
        return None
    return await deps.keys.seal(child_id, {"reason": f"concern {concern_id} {step}"})
