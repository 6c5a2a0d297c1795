"""Command handlers for a volunteer's team: she is read (within the operator's reach) with the team
she joins, then `services.intake.membership` decides."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.intake.volunteers import JoinTeam, LeaveTeam, MoveTeam
from contracts.regions import parse_region
from services.intake import membership
from services.intake.domain import volunteer_state
from services.shared.authority import require_within
from services.shared.eventlog import StoredEvent
from services.shared.unit_of_work import Deps, UnitOfWork


def business_day(stored: StoredEvent, field: str) -> date:
    """The day a stored event says it happened, or the day it was recorded if it says none."""
    return getattr(stored.event, field, None) or stored.envelope.occurred_at.date()


async def _volunteer(uow: UnitOfWork, volunteer_id: str):
    history = await uow.load("volunteer", volunteer_id)
    events = uow.events_of(history)
    state = volunteer_state(events)
    if state.exists:
        require_within(uow.command.actor, parse_region(state.region), "this volunteer")
    recruited_on = business_day(history.events[0], "recruited_on") if history.exists else None
    return state, membership.membership_state(events), recruited_on


async def _team(uow: UnitOfWork, team_id: str) -> membership.Team:
    history = await uow.load("team", team_id)
    if not history.exists:
        return membership.Team(team_id)
    return membership.Team(team_id, True, history.events[-1].envelope.region,
                           business_day(history.events[0], "formed_on"))


async def join_team(deps: Deps, command: JoinTeam) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    state, member, recruited_on = await _volunteer(uow, command.volunteer_id)
    team = await _team(uow, command.team_id)
    return await uow.decide_and_commit(
        lambda: membership.decide_join(state, member, team, command, recruited_on=recruited_on,
                                       today=uow.now.date()),
        volunteer_id=command.volunteer_id, team_id=command.team_id,
    )


async def move_team(deps: Deps, command: MoveTeam) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    state, member, _ = await _volunteer(uow, command.volunteer_id)
    team = await _team(uow, command.to_team_id)
    return await uow.decide_and_commit(
        lambda: membership.decide_move(state, member, team, command, today=uow.now.date()),
        volunteer_id=command.volunteer_id, team_id=command.to_team_id,
    )


async def leave_team(deps: Deps, command: LeaveTeam) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    state, member, _ = await _volunteer(uow, command.volunteer_id)
    return await uow.decide_and_commit(
        lambda: membership.decide_leave(state, member, command, today=uow.now.date()),
        volunteer_id=command.volunteer_id,
    )
