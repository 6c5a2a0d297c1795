"""A volunteer's team, pure: the team named at recruitment is her first, she joins, moves and leaves
one team at a time, within the team's region and on days that follow the facts before them."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.envelope import Actor, Event, FederationLevel
from contracts.intake.registration import Sex, VolunteerKind, VolunteerRecruited, VolunteerType
from contracts.intake.volunteers import (JoinTeam, LeaveTeam, MoveTeam, VolunteerJoinedTeam, VolunteerLeftTeam,
                                         VolunteerMovedTeam, VolunteerWithdrew)
from contracts.privacy import Sealed
from services.intake.domain import volunteer_state
from services.intake.membership import (Membership, Team, decide_join, decide_leave, decide_move,
                                        membership_state)
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

TODAY = date(2026, 6, 1)
ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
VILLAGE = "440105001101"
STREET_TEAM = Team("t-street", True, "440105001000", date(2026, 1, 1))
DISTRICT_TEAM = Team("t-district", True, "440105000000", date(2025, 1, 1))
FAR_TEAM = Team("t-far", True, "440117000000", date(2025, 1, 1))


def recruited(team_id: str | None = None) -> VolunteerRecruited:
    return VolunteerRecruited(volunteer_id="v1", region=VILLAGE, sex=Sex.female, kind=VolunteerKind.mother,
                              volunteer_type=VolunteerType.neighbour, specialties=(), capacity=2, team_id=team_id,
                              personal=Sealed(key_id="v1", nonce="AA==", ciphertext="AA=="))


def join(history: list[Event], team: Team, day: date | None = None) -> list[Event]:
    command = JoinTeam(actor=ACTOR, volunteer_id="v1", team_id=team.team_id, joined_on=day)
    return decide_join(volunteer_state(history), membership_state(history), team, command,
                       recruited_on=date(2026, 2, 1), today=TODAY)


def move(history: list[Event], team: Team, day: date | None = None) -> list[Event]:
    command = MoveTeam(actor=ACTOR, volunteer_id="v1", to_team_id=team.team_id, moved_on=day)
    return decide_move(volunteer_state(history), membership_state(history), team, command, today=TODAY)


def leave(history: list[Event], day: date | None = None) -> list[Event]:
    command = LeaveTeam(actor=ACTOR, volunteer_id="v1", left_on=day, reason="moved away")
    return decide_leave(volunteer_state(history), membership_state(history), command, today=TODAY)


def test_join_move_and_leave_one_team_at_a_time() -> None:
    history: list[Event] = [recruited()]
    history += join(history, STREET_TEAM, date(2026, 3, 1))
    assert history[-1] == VolunteerJoinedTeam(volunteer_id="v1", team_id="t-street", joined_on=date(2026, 3, 1))
    history += move(history, DISTRICT_TEAM, date(2026, 4, 1))
    assert history[-1] == VolunteerMovedTeam(volunteer_id="v1", from_team_id="t-street", to_team_id="t-district",
                                             moved_on=date(2026, 4, 1))
    history += leave(history)  # today
    assert history[-1] == VolunteerLeftTeam(volunteer_id="v1", team_id="t-district", left_on=TODAY,
                                            reason="moved away")
    assert membership_state(history) == Membership(None, TODAY)
    history += join(history, STREET_TEAM)  # back again, later
    assert membership_state(history) == Membership("t-street", TODAY)


def test_the_team_named_at_recruitment_is_her_first() -> None:
    history: list[Event] = [recruited("t-street")]
    assert membership_state(history).team_id == "t-street"
    with pytest.raises(RuleViolated, match="is in team t-street; move her"):
        join(history, DISTRICT_TEAM)
    assert move(history, DISTRICT_TEAM)[0].from_team_id == "t-street"
    assert leave(history)[0].team_id == "t-street"


@pytest.mark.parametrize(("team", "error", "message"), [
    (Team("t-none"), NotFound, "team_id: team t-none does not exist"),
    (FAR_TEAM, InvalidCommand, "team t-far is in region 440117000000, outside the region of volunteer v1"),
])
def test_a_team_that_is_not_there_or_elsewhere_is_refused(team: Team, error, message: str) -> None:
    with pytest.raises(error, match=message):
        join([recruited()], team)
    with pytest.raises(error, match=message.replace("team_id:", "to_team_id:")):
        move([recruited("t-street")], team)


def test_a_withdrawn_or_unknown_volunteer_joins_no_team() -> None:
    withdrawn = [recruited(), VolunteerWithdrew(volunteer_id="v1", reason="moved")]
    with pytest.raises(RuleViolated, match="volunteer v1 has withdrawn"):
        join(withdrawn, STREET_TEAM)
    with pytest.raises(NotFound, match="volunteer v1 is not recruited"):
        join([], STREET_TEAM)


def test_leaving_no_team_moving_to_her_own_and_joining_twice_are_refused() -> None:
    with pytest.raises(RuleViolated, match="volunteer v1 is in no team"):
        leave([recruited()])
    with pytest.raises(RuleViolated, match="is in no team; she joins one"):
        move([recruited()], STREET_TEAM)
    with pytest.raises(InvalidCommand, match="already in team t-street") as moved:
        move([recruited("t-street")], STREET_TEAM)
    assert moved.value.details[0].loc == ["to_team_id"]
    with pytest.raises(RuleViolated, match="already in team t-street"):
        join([recruited("t-street")], STREET_TEAM)


@pytest.mark.parametrize(("day", "message"), [
    (date(2026, 6, 2), "2026-06-02 is in the future"),
    (date(2026, 1, 15), r"before her recruitment \(2026-02-01\)"),
    (date(2025, 12, 31), r"before her recruitment|before the team's forming"),
])
def test_a_join_on_a_day_that_cannot_be_is_refused(day: date, message: str) -> None:
    with pytest.raises(InvalidCommand, match=message):
        join([recruited()], STREET_TEAM, day)


def test_a_move_or_leave_before_she_joined_is_refused() -> None:
    history: list[Event] = [recruited()]
    history += join(history, STREET_TEAM, date(2026, 3, 1))
    with pytest.raises(InvalidCommand, match=r"before her joining her team \(2026-03-01\)"):
        move(history, DISTRICT_TEAM, date(2026, 2, 28))
    with pytest.raises(InvalidCommand, match=r"2026-02-28 is before her joining her team"):
        leave(history, date(2026, 2, 28))
    late_team = Team("t-late", True, "440105000000", date(2026, 5, 1))
    with pytest.raises(InvalidCommand, match=r"before the new team's forming \(2026-05-01\)"):
        move(history, late_team, date(2026, 4, 1))
