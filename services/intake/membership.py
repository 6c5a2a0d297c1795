"""A volunteer's team: join, move, leave (pure). Membership is the volunteer's own aggregate's, so
that she is in one team at a time however many commands about her arrive together; the team named
at her recruitment is her first. The team is read beside her, to check that it exists and that her
village lies within its region."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch

from contracts.envelope import Event
from contracts.intake.registration import VolunteerRecruited
from contracts.intake.volunteers import (JoinTeam, LeaveTeam, MoveTeam, VolunteerJoinedTeam, VolunteerLeftTeam,
                                         VolunteerMovedTeam)
from contracts.regions import parse_region
from services.intake.domain import VolunteerState
from services.shared.errors import InvalidCommand, NotFound, RuleViolated
from services.shared.fold import fold


@dataclass(frozen=True)
class Membership:
    team_id: str | None = None
    since: date | None = None  # the day she joined it (None: at recruitment, before days were kept)


@dataclass(frozen=True)
class Team:
    """What a membership needs to know of a team: that it exists, where, and since when."""

    team_id: str
    exists: bool = False
    region: str = ""
    formed_on: date | None = None


@singledispatch
def evolve_membership(event: Event, state: Membership) -> Membership:
    return state


@evolve_membership.register
def _(event: VolunteerRecruited, state: Membership) -> Membership:
    return Membership(event.team_id, getattr(event, "recruited_on", None))


@evolve_membership.register
def _(event: VolunteerJoinedTeam, state: Membership) -> Membership:
    return Membership(event.team_id, event.joined_on)


@evolve_membership.register
def _(event: VolunteerMovedTeam, state: Membership) -> Membership:
    return Membership(event.to_team_id, event.moved_on)


@evolve_membership.register
def _(event: VolunteerLeftTeam, state: Membership) -> Membership:
    return replace(state, team_id=None, since=event.left_on)


def membership_state(events: list[Event]) -> Membership:
    return fold(evolve_membership, Membership(), events)


def _known(volunteer: VolunteerState, volunteer_id: str) -> None:
    if not volunteer.exists:
        raise NotFound(f"volunteer_id: volunteer {volunteer_id} is not recruited")
    if volunteer.withdrawn:
        raise RuleViolated(f"volunteer {volunteer_id} has withdrawn")


def _day(field: str, day: date, *, today: date, not_before: dict[str, date | None]) -> None:
    """`day` is not after today, nor before any of the facts it follows (named in `not_before`)."""
    if day > today:
        raise InvalidCommand(field, f"{day} is in the future")
    for fact, earliest in not_before.items():
        if earliest is not None and day < earliest:
            raise InvalidCommand(field, f"{day} is before {fact} ({earliest})")


def _team_for(volunteer: VolunteerState, team: Team, field: str) -> None:
    if not team.exists:
        raise NotFound(f"{field}: team {team.team_id} does not exist")
    if not parse_region(team.region).contains(parse_region(volunteer.region)):
        raise InvalidCommand(field, f"team {team.team_id} is in region {team.region}, outside the region of "
                                    f"volunteer {volunteer.volunteer_id} ({volunteer.region})")


def decide_join(volunteer: VolunteerState, membership: Membership, team: Team, command: JoinTeam, *,
                recruited_on: date | None, today: date) -> list[Event]:
    _known(volunteer, command.volunteer_id)
    _team_for(volunteer, team, "team_id")
    if membership.team_id == team.team_id:
        raise RuleViolated(f"volunteer {command.volunteer_id} is already in team {team.team_id}")
    if membership.team_id is not None:
        raise RuleViolated(f"volunteer {command.volunteer_id} is in team {membership.team_id}; "
                           "move her (move_team) or let her leave it first")
    day = command.joined_on or today
    _day("joined_on", day, today=today, not_before={
        "her recruitment": recruited_on, "the team's forming": team.formed_on, "her leaving her last team": membership.since})
    return [VolunteerJoinedTeam(volunteer_id=command.volunteer_id, team_id=team.team_id, joined_on=day)]


def decide_move(volunteer: VolunteerState, membership: Membership, team: Team, command: MoveTeam, *,
                today: date) -> list[Event]:
    _known(volunteer, command.volunteer_id)
    if membership.team_id is None:
        raise RuleViolated(f"volunteer {command.volunteer_id} is in no team; she joins one (join_team)")
    _team_for(volunteer, team, "to_team_id")
    if membership.team_id == team.team_id:
        raise InvalidCommand("to_team_id", f"volunteer {command.volunteer_id} is already in team {team.team_id}")
    day = command.moved_on or today
    _day("moved_on", day, today=today, not_before={
        "her joining her team": membership.since, "the new team's forming": team.formed_on})
    return [VolunteerMovedTeam(volunteer_id=command.volunteer_id, from_team_id=membership.team_id,
                               to_team_id=team.team_id, moved_on=day)]


def decide_leave(volunteer: VolunteerState, membership: Membership, command: LeaveTeam, *,
                 today: date) -> list[Event]:
    _known(volunteer, command.volunteer_id)
    if membership.team_id is None:
        raise RuleViolated(f"volunteer {command.volunteer_id} is in no team")
    day = command.left_on or today
    _day("left_on", day, today=today, not_before={"her joining her team": membership.since})
    return [VolunteerLeftTeam(volunteer_id=command.volunteer_id, team_id=membership.team_id, left_on=day,
                              reason=command.reason)]
