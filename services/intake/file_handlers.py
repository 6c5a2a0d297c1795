"""Command handlers for the child's file and the volunteers' organisation."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.intake.child_file import (CompleteChildPlace, EraseChildData, ExitChild, RecordConsent,
                                         SurveyNeeds, TransferChild, WithdrawConsent)
from contracts.envelope import FederationLevel
from contracts.pairing.pairs import ChildLeftPair, VolunteerLeftPair
from contracts.regions import parse_region
from contracts.intake.volunteers import (CertifyVolunteer, CloseStation, FormTeam, OpenStation,
                                         RecordTraining, StationOpened, WithdrawVolunteer)
from services.intake import child_file, organisation
from services.intake.domain import child_state, volunteer_state
from services.intake.handlers import VILLAGE_LEVELS, region_at
from services.pairing.members import CHILD_PAIRS, VOLUNTEER_PAIRS, child_pairs, volunteer_pairs
from services.pairing.state import pair_state
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id


async def _child(uow: UnitOfWork, child_id: str):
    state = await uow.state("child", child_id, child_state)
    if state.exists:
        require_within(uow.command.actor, parse_region(state.region), "this child")
    return state


async def _with_pairs(uow: UnitOfWork, own_type: str, pairs_type: str, person_id: str):
    """A person's history and the events of her pairs (pairing's, after those a log written before
    stored on her), read together: what intake appends on her on the strength of her pairs (an
    exit, a move, a withdrawal) is refused if pairing wrote on her pairs since, and the other way
    round, as when both lived on one subject."""
    histories = await uow.load_together(person_id, own_type, pairs_type)
    own = uow.events_of(histories[own_type])
    return own, own + uow.events_of(histories[pairs_type])


async def station_opened_on(uow: UnitOfWork, station_id: str) -> date | None:
    history = await uow.load("station", station_id)
    return next((e.opened_on for e in uow.events_of(history) if isinstance(e, StationOpened)), None)


async def last_pair_end(uow: UnitOfWork, events) -> date | None:
    """The day the last of the pairs a person left ended (pairing's pairs): she leaves no earlier."""
    left = sorted({e.pair_id for e in events if isinstance(e, (ChildLeftPair, VolunteerLeftPair))})
    ends = [(await uow.state("pair", pair_id, pair_state)).ended_on for pair_id in left]
    return max((day for day in ends if day), default=None)


async def _child_and_pairs(uow: UnitOfWork, child_id: str):
    own, pairs = await _with_pairs(uow, "child", CHILD_PAIRS, child_id)
    state = child_state(own)
    if state.exists:
        require_within(uow.command.actor, parse_region(state.region), "this child")
    return state, child_pairs(pairs)


async def survey_needs(deps: Deps, command: SurveyNeeds) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    state = await _child(uow, command.child_id)
    notes = await deps.keys.seal(command.child_id, {"notes": command.notes}) if command.notes else None
    return await uow.decide_and_commit(
        lambda: child_file.decide_survey(state, command, today=uow.now.date(), notes=notes),
        child_id=command.child_id,
    )


async def record_consent(deps: Deps, command: RecordConsent) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    state = await _child(uow, command.child_id)
    given_by = await deps.keys.seal(f"guardian-of-{command.child_id}", {"name": command.given_by})
    return await uow.decide_and_commit(
        lambda: child_file.decide_consent(state, command, today=uow.now.date(), given_by=given_by),
        child_id=command.child_id,
    )


async def withdraw_consent(deps: Deps, command: WithdrawConsent) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    state = await _child(uow, command.child_id)
    return await uow.decide_and_commit(
        lambda: child_file.decide_withdraw_consent(state, command, today=uow.now.date()),
        child_id=command.child_id,
    )


async def transfer_child(deps: Deps, command: TransferChild) -> dict[str, Any]:
    to = region_at(command.to_region, VILLAGE_LEVELS, "to_region")
    uow = UnitOfWork(deps, command)
    state, pairs = await _child_and_pairs(uow, command.child_id)
    # Both sides of a move between regions must be within the operator's reach.
    require_within(command.actor, to, "a child moving in")
    return await uow.decide_and_commit(
        lambda: child_file.decide_transfer(state, command.child_id, to, active_pairs=pairs.active_pairs,
                                           today=uow.now.date(), transferred_on=command.transferred_on),
        child_id=command.child_id,
    )


async def complete_child_place(deps: Deps, command: CompleteChildPlace) -> dict[str, Any]:
    village = region_at(command.region, VILLAGE_LEVELS)
    uow = UnitOfWork(deps, command)
    state = await _child(uow, command.child_id)
    require_within(command.actor, village, "a child's village")
    return await uow.decide_and_commit(
        lambda: child_file.decide_complete_place(state, command.child_id, village), child_id=command.child_id
    )


async def exit_child(deps: Deps, command: ExitChild) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    own, events = await _with_pairs(uow, "child", CHILD_PAIRS, command.child_id)
    state, pairs = child_state(own), child_pairs(events)
    if state.exists:
        require_within(command.actor, parse_region(state.region), "this child")
    ended = await last_pair_end(uow, events)
    return await uow.decide_and_commit(
        lambda: child_file.decide_exit(state, command, today=uow.now.date(), active_pairs=pairs.active_pairs,
                                       pairs_ended_on=ended),
        child_id=command.child_id,
    )


async def erase_child_data(deps: Deps, command: EraseChildData) -> dict[str, Any]:
    """The event is appended first, as the audit record; the keys are destroyed after it, also on a
    retry, so an interrupted erasure completes when the command is sent again."""
    uow = UnitOfWork(deps, command)
    state = await _child(uow, command.child_id)
    result = await uow.decide_and_commit(lambda: child_file.decide_erase(state, command), child_id=command.child_id)
    for person in (command.child_id, f"guardian-of-{command.child_id}"):
        await deps.keys.destroy(person)
    return result


async def record_training(deps: Deps, command: RecordTraining) -> dict[str, Any]:
    training_id = command.session_id or derived_id(command.command_id, "training")
    uow = UnitOfWork(deps, command)
    await uow.load("training", training_id)
    volunteers = {}
    for volunteer_id in command.volunteer_ids:
        volunteers[volunteer_id] = await uow.state("volunteer", volunteer_id, volunteer_state)
        if volunteers[volunteer_id].exists:
            require_within(command.actor, parse_region(volunteers[volunteer_id].region), "this volunteer")
    opened_on = await station_opened_on(uow, command.station_id) if command.station_id else None
    region = parse_region(command.actor.region)
    if region.level is FederationLevel.national:
        first = next(iter(volunteers.values()))
        region = parse_region(first.region[:6]) if first.exists else region
    return await uow.decide_and_commit(
        lambda: organisation.decide_training(
            command, training_id=training_id, region=region, volunteers=volunteers, today=uow.now.date(),
            station_opened_on=opened_on),
        training_id=training_id,
    )


async def _volunteer(uow: UnitOfWork, volunteer_id: str):
    state = await uow.state("volunteer", volunteer_id, volunteer_state)
    if state.exists:
        require_within(uow.command.actor, parse_region(state.region), "this volunteer")
    return state


async def certify_volunteer(deps: Deps, command: CertifyVolunteer) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    state = await _volunteer(uow, command.volunteer_id)
    return await uow.decide_and_commit(
        lambda: organisation.decide_certify(state, command, today=uow.now.date()),
        volunteer_id=command.volunteer_id,
    )


async def withdraw_volunteer(deps: Deps, command: WithdrawVolunteer) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    own, pairs = await _with_pairs(uow, "volunteer", VOLUNTEER_PAIRS, command.volunteer_id)
    state = volunteer_state(own)
    if state.exists:
        require_within(command.actor, parse_region(state.region), "this volunteer")
    ended = await last_pair_end(uow, pairs)
    return await uow.decide_and_commit(
        lambda: organisation.decide_withdraw(state, command, active_pairs=volunteer_pairs(pairs).load,
                                             today=uow.now.date(), pairs_ended_on=ended),
        volunteer_id=command.volunteer_id,
    )


async def form_team(deps: Deps, command: FormTeam) -> dict[str, Any]:
    region = region_at(command.region, tuple(FederationLevel)[2:])
    require_within(command.actor, region, "a team")
    team_id = command.team_id or derived_id(command.command_id, "team")
    uow = UnitOfWork(deps, command)
    history = await uow.load("team", team_id)
    return await uow.decide_and_commit(
        lambda: organisation.decide_form_team(history.exists, command, team_id=team_id, region=region,
                                              today=uow.now.date()),
        team_id=team_id,
    )


async def open_station(deps: Deps, command: OpenStation) -> dict[str, Any]:
    region = region_at(command.region, tuple(FederationLevel)[3:])
    require_within(command.actor, region, "a station")
    station_id = command.station_id or derived_id(command.command_id, "station")
    uow = UnitOfWork(deps, command)
    history = await uow.load("station", station_id)
    return await uow.decide_and_commit(
        lambda: organisation.decide_open_station(
            history.exists, command, station_id=station_id, region=region, today=uow.now.date()
        ),
        station_id=station_id,
    )


async def close_station(deps: Deps, command: CloseStation) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    history = await uow.load("station", command.station_id)
    if history.exists:
        require_within(command.actor, parse_region(history.events[-1].envelope.region), "this station")
    closed = any(e.envelope.event_type == "StationClosed" for e in history.events)
    opened_on = await station_opened_on(uow, command.station_id)
    return await uow.decide_and_commit(
        lambda: organisation.decide_close_station(history.exists, closed, command, today=uow.now.date(),
                                                  opened_on=opened_on),
        station_id=command.station_id,
    )
