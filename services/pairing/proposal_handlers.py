"""Proposal command handlers: load the histories the rules need, decide, append.

Approval appends one event per member with its expected sequence, so of two operators approving
(or forming) pairs for the same child or volunteer at the same moment one succeeds and the other
gets a conflict; no retry here, since the loser's invariants may no longer hold.
"""

from __future__ import annotations

from typing import Any

from contracts.intake import VolunteerRecruited
from contracts.matching import ApprovePair, ProposePair, RejectPair, WithdrawProposal
from contracts.volunteers import StationClosed, StationOpened, TeamFormed
from services.pairing.handlers import load_members, load_pair, require_within_members
from services.pairing.proposals import (
    Venue,
    decide_approve_pair,
    decide_propose_pair,
    decide_reject_pair,
    decide_withdraw_proposal,
)
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id


async def propose_pair(deps: Deps, command: ProposePair) -> dict[str, Any]:
    pair_id = command.pair_id or derived_id(command.command_id, "pair")
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, pair_id)
    children, volunteers = await load_members(uow, command.child_ids, command.volunteer_ids)
    venue = await _venue(uow, command.team_id, command.station_id, command.volunteer_ids)
    if earlier := uow.earlier_result():
        return {"pair_id": pair_id, **earlier}
    require_within_members(uow, children, volunteers)
    events = decide_propose_pair(pair, command, pair_id=pair_id, children=children,
                                 volunteers=volunteers, venue=venue, today=uow.now.date())
    return {"pair_id": pair_id, **await uow.commit(events)}


async def approve_pair(deps: Deps, command: ApprovePair) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)
    children, volunteers = await load_members(uow, list(pair.child_ids), list(pair.volunteer_ids))
    venue = await _venue(uow, pair.team_id, pair.station_id, pair.volunteer_ids)
    if earlier := uow.earlier_result():
        return {"pair_id": command.pair_id, **earlier}
    require_within_members(uow, children, volunteers)
    events = decide_approve_pair(pair, command, children=children, volunteers=volunteers, venue=venue,
                                 today=uow.now.date())
    return {"pair_id": command.pair_id, **await uow.commit(events)}


async def reject_pair(deps: Deps, command: RejectPair) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)
    if earlier := uow.earlier_result():
        return {"pair_id": command.pair_id, **earlier}
    return {"pair_id": command.pair_id, **await uow.commit(decide_reject_pair(pair, command))}


async def withdraw_proposal(deps: Deps, command: WithdrawProposal) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    pair = await load_pair(uow, command.pair_id)
    if earlier := uow.earlier_result():
        return {"pair_id": command.pair_id, **earlier}
    return {"pair_id": command.pair_id, **await uow.commit(decide_withdraw_proposal(pair, command))}


async def _venue(uow: UnitOfWork, team_id: str | None, station_id: str | None, volunteer_ids) -> Venue:
    team = next((e for e in uow.events_of(await uow.load("team", team_id)) if isinstance(e, TeamFormed)),
                None) if team_id else None
    station_open = None
    if station_id:
        for event in uow.events_of(await uow.load("station", station_id)):
            if isinstance(event, (StationOpened, StationClosed)):
                station_open = isinstance(event, StationOpened)
    teams = {}
    for volunteer_id in volunteer_ids:  # already loaded: the unit of work caches histories
        recruited = [e for e in uow.events_of(await uow.load("volunteer", volunteer_id))
                     if isinstance(e, VolunteerRecruited)]
        teams[volunteer_id] = recruited[0].team_id if recruited else None
    return Venue(team_id=team_id, team_region=team.region if team else None,
                 team_level=team.level if team else None, station_id=station_id,
                 station_open=station_open, volunteer_teams=teams)
