"""Care activities, pure: who may be logged as present, person-times, where collective ones belong."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.activity.care import (ActivityKind, ActivityLogged, ActivityPlace, LogActivity,
                                     LogCollectiveActivity, StationActivityLogged, TeamActivityLogged)
from contracts.envelope import Actor, FederationLevel
from contracts.pairing.pairs import PairEndReason, PairEnded, PairFormed, PairMode
from contracts.intake.volunteers import StationClosed, StationOpened, TeamFormed, Weekday
from services.activity.care.activities import (decide_log_activity, decide_log_collective, host_of,
                                           host_state, note_holder)
from services.pairing.domain import pair_state
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

TODAY = date(2026, 6, 1)
ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
REGION = "440105001101"
PAIR = PairFormed(pair_id="p1", mode=PairMode.many_to_one, region=REGION, child_ids=("c1",),
                  volunteer_ids=("v1", "v2"))
STATION = StationOpened(station_id="s1", region=REGION, name="驿站", opening_days=(Weekday.sat, Weekday.sun))


def activity(given=(PAIR,), **fields) -> list:
    command = LogActivity(actor=ACTOR, pair_id="p1", kind=fields.pop("kind", ActivityKind.reading),
                          held_on=fields.pop("held_on", TODAY), duration_minutes=60, **fields)
    return decide_log_activity(pair_state(list(given)), command, activity_id="a1", today=TODAY)


def collective(given=(STATION,), kind="station", **fields) -> list:
    command = LogCollectiveActivity(actor=ACTOR, kind=ActivityKind.holiday_activity, held_on=TODAY,
                                    duration_minutes=120, **{f"{kind}_id": "s1"}, **fields)
    return decide_log_collective(host_state(kind, "s1", list(given)), command, activity_id="a1", today=TODAY)


def test_a_pair_activity_defaults_to_the_whole_pair_and_counts_person_times() -> None:
    [event] = activity(place=ActivityPlace.home, guardians_present=1, evidence=["photo-17"])
    assert event == ActivityLogged(
        pair_id="p1", activity_id="a1", kind=ActivityKind.reading, held_on=TODAY, duration_minutes=60,
        place=ActivityPlace.home, volunteer_ids=("v1", "v2"), child_ids=("c1",), guardians_present=1,
        person_times=4, note=None, evidence=("photo-17",))


def test_a_call_with_the_guardian_alone_is_an_activity_whose_note_is_still_the_childs() -> None:
    [event] = activity(kind=ActivityKind.phone_call, child_ids=[], volunteer_ids=["v2"], guardians_present=1)
    assert (event.child_ids, event.volunteer_ids, event.person_times) == ((), ("v2",), 2)
    assert note_holder(pair_state([PAIR]), event) == "c1"


def test_only_the_pairs_own_people_are_logged_as_present() -> None:
    with pytest.raises(InvalidCommand) as refused:
        activity(child_ids=["c1", "c9"])
    assert refused.value.details[0].loc == ["child_ids", 1]
    with pytest.raises(InvalidCommand, match="listed twice"):
        activity(volunteer_ids=["v1", "v1"])
    with pytest.raises(InvalidCommand, match="at least one of its volunteers"):
        activity(volunteer_ids=[])
    with pytest.raises(InvalidCommand, match="nobody was met"):
        activity(child_ids=[])


def test_no_activity_for_an_unknown_or_ended_pair_or_in_the_future() -> None:
    with pytest.raises(NotFound):
        activity(given=())
    with pytest.raises(RuleViolated, match="is not active"):
        activity(given=(PAIR, PairEnded(pair_id="p1", reason=PairEndReason.moved)))
    with pytest.raises(InvalidCommand, match="in the future"):
        activity(held_on=date(2026, 6, 2))


def test_a_station_activity_counts_attendance_as_person_times() -> None:
    [event] = collective(child_ids=["c1", "c2"], volunteer_ids=["v1"], guardians_present=2, attendance=40)
    assert isinstance(event, StationActivityLogged)
    assert (event.station_id, event.person_times, event.child_ids) == ("s1", 40, ("c1", "c2"))
    [named_only] = collective(child_ids=["c1", "c2"], volunteer_ids=["v1"], guardians_present=2)
    assert named_only.person_times == 5
    with pytest.raises(InvalidCommand, match="fewer than the 3 people named") as refused:
        collective(child_ids=["c1", "c2"], volunteer_ids=["v1"], attendance=2)
    assert refused.value.details[0].loc == ["attendance"]
    with pytest.raises(InvalidCommand, match="nobody attended"):
        collective()


def test_a_team_holds_activities_and_a_closed_station_none() -> None:
    team = TeamFormed(team_id="s1", region="440105", level=FederationLevel.district, name="海珠区服务队")
    [event] = collective(given=(team,), kind="team", attendance=300)
    assert isinstance(event, TeamActivityLogged) and event.team_id == "s1"
    with pytest.raises(RuleViolated, match="closed"):
        collective(given=(STATION, StationClosed(station_id="s1", reason="搬迁")), attendance=3)
    with pytest.raises(NotFound, match="station s1 does not exist"):
        collective(given=(), attendance=3)


def test_a_collective_activity_names_exactly_one_host() -> None:
    both = LogCollectiveActivity(actor=ACTOR, kind=ActivityKind.other, held_on=TODAY, duration_minutes=30,
                                 station_id="s1", team_id="t1")
    with pytest.raises(InvalidCommand, match="either the station or the team"):
        host_of(both)
    assert host_of(both.model_copy(update={"station_id": None})) == ("team", "t1")
