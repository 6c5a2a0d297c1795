"""Intake command handlers: validate against reference data, seal personal data, decide, append."""

from __future__ import annotations

from typing import Any

from contracts.envelope import FederationLevel
from contracts.intake.registration import RecruitVolunteer, RegisterChild
from contracts.privacy import Sealed
from contracts.regions import InvalidRegion, Region, known_region, parse_region
from services.intake.identity import child_id_for_id_number
from services.intake.domain import (REGISTERED_ELSEWHERE, check_child, child_state, decide_recruit_volunteer,
                                    decide_register_child, volunteer_state)
from services.shared.authority import actor_region, require_within
from services.shared.errors import InvalidCommand, RuleViolated
from services.shared.privacy import KeyStore
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id

# A child lives in a village; a list that names only her county registers her there until it is known.
CHILD_LEVELS = (FederationLevel.community, FederationLevel.district)
VILLAGE_LEVELS = (FederationLevel.community,)
VOLUNTEER_LEVELS = (FederationLevel.community,)


def region_at(code: str, levels: tuple[FederationLevel, ...], field: str = "region") -> Region:
    try:
        region = known_region(code)
    except InvalidRegion as error:
        raise InvalidCommand(field, str(error)) from None
    if region.level not in levels:
        wanted = " or ".join(levels)
        raise InvalidCommand(field, f"{code!r} is a {region.level} code; expected a {wanted} code")
    return region


async def register_child(deps: Deps, command: RegisterChild) -> dict[str, Any]:
    region = region_at(command.region, CHILD_LEVELS)
    require_within(command.actor, region, "a child")
    uow = UnitOfWork(deps, command)
    # Also decided below; checked first so that a mistyped ID number derives no id and makes no key.
    check_child(command, uow.now.date())
    child_id = command.child_id or await _new_child_id(deps, command)
    state = await uow.state("child", child_id, child_state)

    async def decide():  # sealed only for a new command: a retry makes no key and seals nothing
        if state.exists and not actor_region(command.actor).contains(parse_region(state.region)):
            raise RuleViolated(REGISTERED_ELSEWHERE)  # not which child, nor where: no membership oracle
        personal, guardian = await seal_child(deps.keys, child_id, command)
        return decide_register_child(state, command, child_id=child_id, region=region,
                                     today=uow.now.date(), personal=personal, guardian=guardian)
    return await uow.decide_and_commit(decide, child_id=child_id)


async def seal_child(keys: KeyStore, child_id: str, command: RegisterChild) -> tuple[Sealed, Sealed | None]:
    """The child's particulars under the child's key, the guardian's under the guardian's own, so
    that each can be erased alone. Both keys are made in one write to the key store, not two."""
    guardian_key = f"guardian-of-{child_id}"
    await keys.ensure_keys([child_id, guardian_key] if command.guardian else [child_id])
    personal = await keys.seal(child_id, {"name": command.name, "id_number": command.id_number,
                                          "address": command.address, "school": command.school})
    guardian = None
    if command.guardian:
        guardian = await keys.seal(guardian_key, {"name": command.guardian.name,
                                                  "phone": command.guardian.phone})
    return personal, guardian


async def _new_child_id(deps: Deps, command: RegisterChild) -> str:
    """A child with an identity number gets the same id however often, and by whomever, registered."""
    if command.id_number:
        return await child_id_for_id_number(deps.keys, command.id_number)
    return derived_id(command.command_id, "child")


async def recruit_volunteer(deps: Deps, command: RecruitVolunteer) -> dict[str, Any]:
    region = region_at(command.region, VOLUNTEER_LEVELS)
    require_within(command.actor, region, "a volunteer")
    volunteer_id = command.volunteer_id or derived_id(command.command_id, "volunteer")
    uow = UnitOfWork(deps, command)
    state = await uow.state("volunteer", volunteer_id, volunteer_state)

    async def decide():  # sealed only for a new command, as for a child
        personal = await deps.keys.seal(volunteer_id, {"name": command.name, "phone": command.phone})
        return decide_recruit_volunteer(state, command, volunteer_id=volunteer_id, region=region,
                                        personal=personal, today=uow.now.date())
    return await uow.decide_and_commit(decide, volunteer_id=volunteer_id)
