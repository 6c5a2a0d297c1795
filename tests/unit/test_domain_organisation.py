"""Volunteers' readiness and the programme's organisation, pure: training moves a volunteer from the
reserve pool (储备库) to the pairing pool, withdrawal, teams at four levels, stations (驿站)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.intake.child_file import ConsentScope, GuardianConsentGiven
from contracts.envelope import Actor, Event, FederationLevel
from contracts.intake.registration import (ChildCategory, ChildRegistered, GuardianRelation, Sex,
                                           VolunteerKind, VolunteerRecruited, VolunteerType)
from contracts.pairing.pairs import FormPair, PairEndReason, PairMode, VolunteerJoinedPair, VolunteerLeftPair
from contracts.privacy import Sealed
from contracts.regions import parse_region
from contracts.intake.volunteers import (CloseStation, FormTeam, OpenStation, REQUIRED_TRAINING,
                                         RecordTraining, StationClosed, StationOpened, TeamFormed,
                                         TrainingSessionHeld, TrainingTopic, VolunteerTrained,
                                         VolunteerWithdrew, Weekday, WithdrawVolunteer)
from services.intake.domain import child_state, volunteer_state
from services.pairing.members import Memberships, volunteer_pairs
from services.intake.organisation import (decide_close_station, decide_form_team,
                                          decide_open_station, decide_training, decide_withdraw)
from services.pairing.domain import decide_form_pair, pair_state
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

TODAY = date(2026, 6, 1)
ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
COMMUNITY = "440105001101"
DISTRICT = parse_region("440105")
LAW = TrainingTopic.minors_protection_law
W = Weekday


def sealed(key: str) -> Sealed:
    return Sealed(key_id=key, nonce="AA==", ciphertext="AA==")


def recruited(volunteer_id: str) -> VolunteerRecruited:
    return VolunteerRecruited(volunteer_id=volunteer_id, region=COMMUNITY, sex=Sex.female,
                              kind=VolunteerKind.mother, volunteer_type=VolunteerType.neighbour,
                              specialties=(), capacity=2, personal=sealed(volunteer_id))


CHILD = [
    ChildRegistered(child_id="c1", region=COMMUNITY, sex=Sex.male, birth_date=date(2015, 1, 1),
                    category=ChildCategory.left_behind, subtype=None, personal=sealed("c1"),
                    guardian_relation=None, guardian=None),
    GuardianConsentGiven(child_id="c1", relation=GuardianRelation.parent, given_by=sealed("g"),
                         scopes=(ConsentScope.pairing,), given_on=date(2026, 1, 1)),
]


def of(given: list[Event], volunteer_id: str) -> list[Event]:
    """The volunteer's own events and her pairs'."""
    return [e for e in given if e.aggregate_type in ("volunteer", "pairing_volunteer")
            and e.aggregate_id == volunteer_id]


def train(given: list[Event], *volunteer_ids: str, topic: TrainingTopic = LAW,
          held_on: date = date(2026, 5, 2)) -> list[Event]:
    command = RecordTraining(actor=ACTOR, topic=topic, held_on=held_on, station_id="s1",
                             volunteer_ids=list(volunteer_ids))
    return decide_training(command, training_id="t1", region=DISTRICT,
                           volunteers={v: volunteer_state(of(given, v)) for v in volunteer_ids},
                           today=TODAY)


def pair(given: list[Event], volunteer_id: str) -> list[Event]:
    command = FormPair(actor=ACTOR, pair_id="p1", mode=PairMode.one_to_one, child_ids=["c1"],
                       volunteer_ids=[volunteer_id])
    return decide_form_pair(pair_state([]), command, pair_id="p1", children={"c1": child_state(CHILD)},
                            volunteers={volunteer_id: volunteer_state(of(given, volunteer_id))},
                            pairs=Memberships(volunteers={volunteer_id: volunteer_pairs(of(given, volunteer_id))}),
                            today=TODAY)


def withdraw(given: list[Event], volunteer_id: str) -> list[Event]:
    command = WithdrawVolunteer(actor=ACTOR, volunteer_id=volunteer_id, reason="moved away")
    return decide_withdraw(volunteer_state(of(given, volunteer_id)), command,
                           active_pairs=volunteer_pairs(of(given, volunteer_id)).load, today=TODAY)


# --- training and the two pools ---

def test_a_training_session_marks_each_volunteer_trained() -> None:
    given = [recruited("v1"), recruited("v2")]
    events = train(given, "v1", "v2")
    assert events == [
        TrainingSessionHeld(training_id="t1", region=DISTRICT.code, topic=LAW, held_on=date(2026, 5, 2),
                            station_id="s1", volunteer_ids=("v1", "v2")),
        VolunteerTrained(volunteer_id="v1", training_id="t1", topic=LAW, completed_on=date(2026, 5, 2)),
        VolunteerTrained(volunteer_id="v2", training_id="t1", topic=LAW, completed_on=date(2026, 5, 2)),
    ]
    given += events
    for volunteer_id in ("v1", "v2"):
        state = volunteer_state(of(given, volunteer_id))
        assert LAW in state.trained and state.missing_training == [] and state.in_pairing_pool


def test_an_untrained_volunteer_is_in_the_reserve_pool_and_refused_at_pairing() -> None:
    given: list[Event] = [recruited("v1")]
    state = volunteer_state(given)
    assert not state.in_pairing_pool and state.missing_training == list(REQUIRED_TRAINING)
    with pytest.raises(RuleViolated) as refused:
        pair(given, "v1")
    assert refused.value.message == ("volunteer v1 is in the reserve pool: required training not "
                                     "completed (minors_protection_law)")
    # Training on another topic does not take the place of the required one.
    given += train(given, "v1", topic=TrainingTopic.care_guidelines)
    with pytest.raises(RuleViolated, match="reserve pool"):
        pair(given, "v1")
    given += train(given, "v1")
    assert volunteer_state(given).in_pairing_pool
    assert [type(e).__name__ for e in pair(given, "v1")] == ["PairFormed", "ChildJoinedPair",
                                                             "VolunteerJoinedPair"]


def test_training_is_refused_for_unknown_withdrawn_or_twice_listed_volunteers_and_future_dates() -> None:
    given = [recruited("v1"), VolunteerWithdrew(volunteer_id="v1", reason="moved"), recruited("v2")]
    with pytest.raises(NotFound, match="volunteer v9 is not recruited"):
        train(given, "v2", "v9")
    with pytest.raises(RuleViolated, match="volunteer v1 has withdrawn"):
        train(given, "v2", "v1")
    with pytest.raises(InvalidCommand) as twice:
        train(given, "v2", "v2")
    assert twice.value.details[0].loc == ["volunteer_ids"]
    with pytest.raises(InvalidCommand) as future:
        train(given, "v2", held_on=date(2026, 6, 2))
    assert future.value.details[0].loc == ["held_on"]


# --- withdrawal ---

def test_withdrawal_is_refused_while_the_volunteer_cares_for_a_pair() -> None:
    given: list[Event] = [recruited("v1"), *train([recruited("v1")], "v1")]
    given += pair(given, "v1")
    assert volunteer_pairs(of(given, "v1")).children_in_care == 1
    with pytest.raises(RuleViolated, match="volunteer v1 still cares for pair\\(s\\) p1; end them first"):
        withdraw(given, "v1")
    given.append(VolunteerLeftPair(volunteer_id="v1", region=COMMUNITY, pair_id="p1", reason=PairEndReason.moved, children=1))
    assert withdraw(given, "v1") == [VolunteerWithdrew(volunteer_id="v1", reason="moved away", withdrawn_on=TODAY)]


def test_a_collective_pair_counts_as_care_for_withdrawal() -> None:
    # A collective pair takes none of her capacity, but she still cares for it.
    given = [recruited("v1"), VolunteerJoinedPair(volunteer_id="v1", region=COMMUNITY, pair_id="p9",
                                                  mode=PairMode.collective, children=0)]
    with pytest.raises(RuleViolated, match="still cares for pair\\(s\\) p9"):
        withdraw(given, "v1")


def test_a_withdrawn_volunteer_is_not_withdrawn_again_nor_paired() -> None:
    given: list[Event] = [recruited("v1"), *train([recruited("v1")], "v1")]
    given += withdraw(given, "v1")
    assert not volunteer_state(of(given, "v1")).in_pairing_pool
    with pytest.raises(RuleViolated, match="volunteer v1 has withdrawn"):
        withdraw(given, "v1")
    with pytest.raises(RuleViolated, match="volunteer v1 has withdrawn"):
        pair(given, "v1")
    with pytest.raises(NotFound, match="volunteer v9 is not recruited"):
        withdraw(given, "v9")


# --- teams: city, district, street and community level only ---

@pytest.mark.parametrize(("code", "level"), [
    ("4401", FederationLevel.city), ("440105", FederationLevel.district),
    ("440105001", FederationLevel.street), ("440105001101", FederationLevel.community),
])
def test_a_team_is_formed_at_city_district_street_or_community_level(code, level) -> None:
    region = parse_region(code)
    command = FormTeam(actor=ACTOR, region=code, name="海珠区爱心妈妈志愿服务队")
    assert decide_form_team(False, command, team_id="team-1", region=region, today=TODAY) == [
        TeamFormed(team_id="team-1", region=region.code, level=level, name="海珠区爱心妈妈志愿服务队",
                   formed_on=TODAY)]


@pytest.mark.parametrize("code", ["CN", "44"])
def test_no_team_is_formed_at_national_or_province_level(code: str) -> None:
    command = FormTeam(actor=ACTOR, region=code, name="队")
    with pytest.raises(InvalidCommand) as refused:
        decide_form_team(False, command, team_id="team-1", region=parse_region(code), today=TODAY)
    assert refused.value.details[0].loc == ["region"]


def test_a_team_id_is_used_once() -> None:
    command = FormTeam(actor=ACTOR, region="440105", name="队")
    with pytest.raises(RuleViolated, match="team team-1 already exists"):
        decide_form_team(True, command, team_id="team-1", region=DISTRICT, today=TODAY)


# --- stations ---

def open_station(days: list[Weekday], exists: bool = False) -> list[Event]:
    command = OpenStation(actor=ACTOR, region=COMMUNITY, name="爱心妈妈驿站", opening_days=days)
    return decide_open_station(exists, command, station_id="s1", region=parse_region(COMMUNITY), today=TODAY)


def test_a_station_opens_on_at_least_two_distinct_days() -> None:
    assert open_station([W.sat, W.sun, W.sat]) == [
        StationOpened(station_id="s1", region=COMMUNITY, name="爱心妈妈驿站", opening_days=(W.sat, W.sun),
                      opened_on=TODAY)]


@pytest.mark.parametrize("days", [[W.mon], [W.mon, W.mon], [W.wed, W.wed, W.wed]])
def test_a_station_open_on_fewer_than_two_distinct_days_is_refused(days) -> None:
    with pytest.raises(InvalidCommand) as refused:
        open_station(days)
    assert refused.value.details[0].loc == ["opening_days"]
    assert "at least 2 days a week, got 1" in refused.value.message


def test_a_station_id_is_used_once() -> None:
    with pytest.raises(RuleViolated, match="station s1 already exists"):
        open_station([W.mon, W.tue], exists=True)


def close(history: list[Event]) -> list[Event]:
    """As the handler decides it: from the station's own history."""
    command = CloseStation(actor=ACTOR, station_id="s1", reason="venue lost")
    closed = any(isinstance(e, StationClosed) for e in history)
    return decide_close_station(bool(history), closed, command, today=TODAY)


def test_a_station_is_closed_once_and_must_exist() -> None:
    history = open_station([W.mon, W.thu])
    closed = close(history)
    assert closed == [StationClosed(station_id="s1", reason="venue lost", closed_on=TODAY)]
    with pytest.raises(RuleViolated, match="station s1 is already closed"):
        close(history + closed)
    with pytest.raises(NotFound, match="station s1 does not exist"):
        close([])
