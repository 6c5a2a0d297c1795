"""Person-times as the reports count them — those served apart from the volunteers serving, a
collective activity's attendance as given — trainings at a station, and federation staff among
volunteers: what the ledger's pure rules add."""

from __future__ import annotations

from contracts.activity.care import ActivityKind, ActivityLogged, StationActivityLogged, VisitKind, VisitLogged
from contracts.intake.registration import Sex, VolunteerKind, VolunteerRecruited, VolunteerType
from contracts.intake.volunteers import TrainingSessionHeld, TrainingTopic, VolunteerWithdrew
from services.projections.figures.arithmetic import as_of
from services.projections.figures.care import split
from services.projections.figures.catalogue import BY_KEY, COUNTED, LEVELS, STORED
from services.projections.figures.state import Fact
from tests.unit.test_figures_ledger import A, MAR1, MAR10, SEALED, fold, paired, recruited, registered, rows

SPLIT = ("child_person_times", "guardian_person_times", "other_person_times")


def test_a_stations_attendance_counts_as_given_split_by_who_was_there() -> None:
    assert split(160, volunteers=5, children=20, guardians=10) == {
        "attendance": 160, "volunteer_person_times": 5, "person_times": 155, "child_person_times": 20,
        "guardian_person_times": 10, "other_person_times": 125}
    assert split(3, volunteers=1, children=2, guardians=0)["other_person_times"] == 0
    # Never fewer than those named, whatever an older event says.
    assert split(1, volunteers=1, children=2, guardians=1)["attendance"] == 4


def station(attendance: int, children: tuple[str, ...], volunteers: tuple[str, ...], guardians: int):
    return StationActivityLogged(station_id="s1", activity_id="a1", kind=ActivityKind.station_activity,
                                 held_on=MAR10, duration_minutes=120, place=None, volunteer_ids=volunteers,
                                 child_ids=children, guardians_present=guardians, person_times=attendance,
                                 note=None, evidence=())


def test_a_station_activity_with_160_attending_and_20_children_named_serves_160_less_its_volunteers() -> None:
    children = tuple(f"c{n}" for n in range(20))
    figures = as_of(rows(fold(Fact(station(160, children, ("v1", "v2"), 8), A, MAR10))), "", MAR10)
    assert figures["attendance"] == 160 and figures["person_times"] == 158
    assert [figures[k] for k in SPLIT] == [20, 8, 130] and figures["volunteer_person_times"] == 2
    assert sum(figures[k] for k in SPLIT) == figures["person_times"]


def test_visits_and_pair_activities_serve_the_children_and_guardians_not_the_volunteers() -> None:
    visit = VisitLogged(pair_id="p1", visit_id="x1", kind=VisitKind.home_visit, visited_on=MAR10,
                        duration_minutes=60, child_ids=("c1",), note=None)
    call = ActivityLogged(pair_id="p1", activity_id="a2", kind=ActivityKind.phone_call, held_on=MAR10,
                          duration_minutes=20, place=None, volunteer_ids=("v1",), child_ids=(),
                          guardians_present=1, person_times=2, note=None, evidence=())
    figures = as_of(rows(fold(registered(), recruited(), *paired(MAR1, MAR1), Fact(visit, A, MAR10),
                              Fact(call, A, MAR10))), "", MAR10)
    assert (figures["person_times"], figures["child_person_times"], figures["guardian_person_times"]) == (2, 1, 1)
    assert (figures["volunteer_person_times"], figures["attendance"], figures.get("other_person_times", 0)) == (2, 4, 0)


def test_a_training_at_a_station_counts_its_session_and_each_volunteer_trained() -> None:
    held = TrainingSessionHeld(training_id="t1", region=A, topic=TrainingTopic.minors_protection_law,
                               held_on=MAR10, station_id="s1", volunteer_ids=("v1", "v2", "v3"))
    elsewhere = held.model_copy(update={"training_id": "t2", "station_id": None})
    figures = as_of(rows(fold(Fact(held, A, MAR10), Fact(elsewhere, A, MAR10))), "", MAR10)
    assert figures["training_sessions"] == 2
    assert (figures["station_training_sessions"], figures["volunteers_trained_at_stations"]) == (1, 3)


def test_federation_staff_among_volunteers_stand_until_they_withdraw() -> None:
    fields = dict(region=A, sex=Sex.female, kind=VolunteerKind.mother, volunteer_type=VolunteerType.neighbour,
                  specialties=(), capacity=1, team_id=None, personal=SEALED)
    staff = VolunteerRecruited(volunteer_id="v8", **fields, staff=True)
    batch = fold(Fact(staff, A, MAR1), recruited("v9"))
    assert as_of(rows(batch), "", MAR1)["volunteers_staff"] == 1
    fold(Fact(VolunteerWithdrew(volunteer_id="v8", reason="moved"), A, MAR10), batch=batch)
    assert as_of(rows(batch), "", MAR10)["volunteers_staff"] == 0
    assert as_of(rows(batch), "", MAR10)["volunteers"] == 1


def test_the_new_figures_are_in_the_catalogue_with_both_labels() -> None:
    for key in ("volunteers_staff", "station_training_sessions", "volunteers_trained_at_stations",
                "guardian_person_times", "other_person_times", "volunteer_person_times", "attendance",
                "counties_covered"):
        assert BY_KEY[key].zh and BY_KEY[key].en
    assert BY_KEY["counties_covered"].kind == COUNTED and "counties_covered" not in STORED
    assert "counties_covered" in LEVELS and "active_pairs" in LEVELS and "activities" not in LEVELS
