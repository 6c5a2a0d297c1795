"""Volunteers' training, certification and withdrawal; teams and stations (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from datetime import date

from contracts.envelope import Event
from contracts.regions import Region
from contracts.intake.volunteers import (CertifyVolunteer, CloseStation, FormTeam, MIN_OPENING_DAYS,
                                         OpenStation, RecordTraining, StationClosed, StationOpened,
                                         TeamFormed, TrainingSessionHeld, VolunteerCertified,
                                         VolunteerTrained, VolunteerWithdrew, WithdrawVolunteer)
from services.intake.domain import VolunteerState
from services.shared.days import day_of, not_before
from services.shared.errors import InvalidCommand, NotFound, RuleViolated


def _known(volunteer: VolunteerState, volunteer_id: str) -> None:
    if not volunteer.exists:
        raise NotFound(f"volunteer {volunteer_id} is not recruited")
    if volunteer.withdrawn:
        raise RuleViolated(f"volunteer {volunteer_id} has withdrawn")


def decide_training(command: RecordTraining, *, training_id: str, region: Region,
                    volunteers: dict[str, VolunteerState], today: date,
                    station_opened_on: date | None = None) -> list[Event]:
    """`station_opened_on`: the day the station it was held at opened (None: none named, or not known)."""
    if command.held_on > today:
        raise InvalidCommand("held_on", f"{command.held_on} is in the future")
    not_before("held_on", command.held_on, station_opened_on, f"station {command.station_id} opened")
    if len(set(command.volunteer_ids)) != len(command.volunteer_ids):
        raise InvalidCommand("volunteer_ids", "a volunteer is listed twice")
    for volunteer_id, volunteer in volunteers.items():
        _known(volunteer, volunteer_id)  # trained before she was recruited: pre-service training is usual
    return [
        TrainingSessionHeld(training_id=training_id, region=region.code, topic=command.topic,
                            held_on=command.held_on, station_id=command.station_id,
                            volunteer_ids=tuple(command.volunteer_ids)),
        *(VolunteerTrained(volunteer_id=v, training_id=training_id, topic=command.topic,
                           completed_on=command.held_on) for v in command.volunteer_ids),
    ]


def decide_certify(volunteer: VolunteerState, command: CertifyVolunteer, *, today: date) -> list[Event]:
    _known(volunteer, command.volunteer_id)
    if command.certified_on > today:
        raise InvalidCommand("certified_on", f"{command.certified_on} is in the future")
    not_before("certified_on", command.certified_on, volunteer.recruited_on,
               f"volunteer {command.volunteer_id} was recruited")
    return [VolunteerCertified(volunteer_id=command.volunteer_id, certification=command.certification,
                               certified_on=command.certified_on)]


def decide_withdraw(volunteer: VolunteerState, command: WithdrawVolunteer, *,
                    active_pairs: Iterable[str], today: date, pairs_ended_on: date | None = None) -> list[Event]:
    """`active_pairs`: the pairs she cares for (pairing's): none may stand when she withdraws, nor
    have ended after the day she withdraws (`pairs_ended_on`: the last of them ended then)."""
    _known(volunteer, command.volunteer_id)
    withdrawn_on = day_of("withdrawn_on", command.withdrawn_on, today)
    not_before("withdrawn_on", withdrawn_on, volunteer.recruited_on, f"volunteer {command.volunteer_id} was recruited")
    not_before("withdrawn_on", withdrawn_on, pairs_ended_on, f"volunteer {command.volunteer_id}'s last pair ended")
    if active_pairs := list(active_pairs):
        raise RuleViolated(f"volunteer {command.volunteer_id} still cares for pair(s) "
                           f"{', '.join(active_pairs)}; end them first")
    return [VolunteerWithdrew(volunteer_id=command.volunteer_id, reason=command.reason, withdrawn_on=withdrawn_on)]


def decide_form_team(exists: bool, command: FormTeam, *, team_id: str, region: Region, today: date) -> list[Event]:
    if exists:
        raise RuleViolated(f"team {team_id} already exists")
    if region.level.value not in ("city", "district", "street", "community"):
        raise InvalidCommand("region", f"teams are formed at city, district, street or community level, not {region.level}")
    formed_on = day_of("formed_on", command.formed_on, today)
    return [TeamFormed(team_id=team_id, region=region.code, level=region.level, name=command.name,
                       formed_on=formed_on)]


def decide_open_station(exists: bool, command: OpenStation, *, station_id: str, region: Region,
                        today: date) -> list[Event]:
    if exists:
        raise RuleViolated(f"station {station_id} already exists")
    days = tuple(dict.fromkeys(command.opening_days))
    if len(days) < MIN_OPENING_DAYS:
        raise InvalidCommand("opening_days", f"a station opens at least {MIN_OPENING_DAYS} days a week, got {len(days)}")
    opened_on = day_of("opened_on", command.opened_on, today)
    return [StationOpened(station_id=station_id, region=region.code, name=command.name, opening_days=days,
                          opened_on=opened_on)]


def decide_close_station(exists: bool, closed: bool, command: CloseStation, *, today: date,
                         opened_on: date | None = None) -> list[Event]:
    """`opened_on`: the day the station opened (None: not known)."""
    if not exists:
        raise NotFound(f"station {command.station_id} does not exist")
    if closed:
        raise RuleViolated(f"station {command.station_id} is already closed")
    closed_on = day_of("closed_on", command.closed_on, today)
    not_before("closed_on", closed_on, opened_on, f"station {command.station_id} opened")
    return [StationClosed(station_id=command.station_id, reason=command.reason, closed_on=closed_on)]
