"""The figure ledger's arithmetic and rules, pure: deltas summed per (leaf region, day, figure), a
region as the sum under its prefix, as of a day, months of flows and stocks; and what events add —
a transfer out of one region and into another on its day, a child paired no earlier than it is on
file, reminders open until resolved, service minutes per volunteer and team."""

from __future__ import annotations

from datetime import date

from contracts.activity.care import ActivityKind, TeamActivityLogged, VisitKind, VisitLogged
from contracts.intake.child_file import ChildExited, ChildTransferredIn, ChildTransferredOut, ExitReason
from contracts.activity.concerns import ChildRiskAssessed, RiskTier
from contracts.intake.registration import (ChildCategory, ChildRegistered, Sex, VolunteerKind,
                                           VolunteerRecruited, VolunteerType)
from contracts.pairing.pairs import (ChildJoinedPair, ChildLeftPair, PairEndReason, PairEnded, PairFormed,
                                     PairMode)
from contracts.privacy import Sealed
from contracts.activity.reminders import ReminderRaised, ReminderRule
from services.projections.figures.arithmetic import Deltas, as_of, code_range, month_ends, monthly
from services.projections.figures.catalogue import STORED, complete
from services.projections.figures.ledger import APPLY, needs
from services.projections.figures.state import Batch, Fact

A, B = "440105001101", "440117001001"  # 海珠, 从化
SEALED = Sealed(key_id="c1", nonce="AA==", ciphertext="eA==")
MAR1, MAR10, APR5 = date(2026, 3, 1), date(2026, 3, 10), date(2026, 4, 5)


def fold(*facts: Fact, batch: Batch | None = None) -> Batch:
    batch = batch or Batch()
    for fact in facts:
        APPLY[type(fact.event)](batch, fact)
    return batch


def rows(batch: Batch) -> list[tuple]:
    return [(r["region"], r["day"], r["figure"], r["delta"]) for r in batch.deltas.rows()]


def registered(child_id: str = "c1", region: str = A, day: date = MAR1) -> Fact:
    return Fact(ChildRegistered(child_id=child_id, region=region, sex=Sex.female, birth_date=date(2016, 1, 1),
                                category=ChildCategory.left_behind, subtype=None, personal=SEALED,
                                guardian_relation=None, guardian=None), region, day)


def recruited(volunteer_id: str = "v1", team_id: str | None = None) -> Fact:
    return Fact(VolunteerRecruited(volunteer_id=volunteer_id, region=A, sex=Sex.female, kind=VolunteerKind.mother,
                                   volunteer_type=VolunteerType.neighbour, specialties=(), capacity=1,
                                   team_id=team_id, personal=SEALED), A, MAR1)


def paired(day: date, formed_on: date | None) -> list[Fact]:
    return [Fact(PairFormed(pair_id="p1", mode=PairMode.one_to_one, region=A, child_ids=("c1",),
                            volunteer_ids=("v1",), formed_on=formed_on), A, day),
            Fact(ChildJoinedPair(child_id="c1", region=A, pair_id="p1", mode=PairMode.one_to_one), A, day)]


def test_deltas_sum_per_key_and_keep_a_key_stepped_to_zero() -> None:
    deltas = Deltas()
    deltas.add(A, MAR1, "children")
    deltas.add(A, MAR1, "children", 2)
    deltas.add(A, MAR1, "wishes_open")
    deltas.add(A, MAR1, "wishes_open", -1)
    assert deltas.rows() == [{"region": A, "day": MAR1, "figure": "children", "delta": 3},
                             {"region": A, "day": MAR1, "figure": "wishes_open", "delta": 0}]


def test_a_region_is_the_sum_under_its_prefix_and_as_of_a_day_the_rows_up_to_it() -> None:
    ledger = [(A, MAR1, "children", 2), (B, MAR10, "children", 1), ("510623100004", MAR1, "children", 5),
              (A, APR5, "children", -1)]
    assert as_of(ledger, "4401", MAR1) == {"children": 2}
    assert as_of(ledger, "4401", APR5) == {"children": 2}  # 2 + 1 - 1
    assert as_of(ledger, "", APR5) == {"children": 7}
    assert as_of(ledger, "", date(2000, 1, 1)) == {}
    assert code_range("4401") == ("440100000000", "440199999999") and code_range("") == ("0" * 12, "9" * 12)


def test_a_monthly_series_sums_flows_in_each_month_and_carries_stocks_to_its_end() -> None:
    opening = {"children": 4, "activities": 9}  # before the year: the stock stands, the flow is gone
    days = [(date(2026, 1, 3), "children", 1), (date(2026, 1, 3), "activities", 2),
            (date(2026, 3, 31), "activities", 1), (date(2026, 3, 31), "children", -2)]
    series = monthly(opening, days, 2026, date(2026, 3, 15))
    assert [m for m, _ in series] == ["2026-01", "2026-02", "2026-03"]
    assert [v.get("children", 0) for _, v in series] == [5, 5, 5]  # 31 March is after the 15th
    assert [v.get("activities", 0) for _, v in series] == [2, 0, 0]
    assert month_ends(2026, date(2026, 2, 10)) == [(date(2026, 1, 1), date(2026, 1, 31)),
                                                   (date(2026, 2, 1), date(2026, 2, 10))]


def test_derived_figures_are_worked_out_from_the_stored_ones() -> None:
    figures = complete({"children": 3, "children_paired": 1, "children_category_left_behind": 2,
                        "children_paired_category_left_behind": 1, "service_minutes": 90})
    assert (figures["coverage"], figures["coverage_left_behind"], figures["coverage_in_difficulty"]) == (0.3333, 0.5, 0.0)
    assert figures["service_hours"] == 1.5 and set(STORED) <= set(figures)


def test_a_child_and_her_pair_count_from_the_later_of_the_pairing_and_her_registration() -> None:
    batch = fold(registered(day=MAR10), recruited(), *paired(MAR10, formed_on=MAR1))
    # The child is on file from the 10th: she and her pair count from then, on the same day, so
    # that a month's change in pairs and in children paired agree.
    assert {(A, MAR10, "children_paired", 1), (A, MAR10, "active_pairs", 1), (A, MAR10, "pairs_formed", 1)} <= set(rows(batch))
    assert not [row for row in rows(batch) if row[1] == MAR1 and row[2] in ("active_pairs", "pairs_formed")]
    ended = fold(Fact(PairEnded(pair_id="p1", reason=PairEndReason.moved), A, MAR10), batch=batch)
    assert as_of(rows(ended), "", MAR10)["active_pairs"] == 0  # ended the day it counted from: never below zero
    on_time = fold(registered(day=MAR1), recruited(), *paired(MAR10, formed_on=MAR1))
    assert (A, MAR1, "active_pairs", 1) in rows(on_time)  # a child on file: the pair's own day


def test_a_transfer_subtracts_in_one_region_and_adds_in_the_other_on_its_day() -> None:
    batch = fold(registered(), recruited(), *paired(MAR1, MAR1),
                 Fact(ChildRiskAssessed(child_id="c1", region=A, tier=RiskTier.red, previous_tier=None,
                                        reason=SEALED), A, MAR10),
                 Fact(ChildTransferredOut(child_id="c1", from_region=A, to_region=B), A, APR5),
                 Fact(ChildTransferredIn(child_id="c1", region=B, from_region=A, sex=Sex.female,
                                         birth_date=date(2016, 1, 1), category=ChildCategory.left_behind,
                                         subtype=None, grade=None, personal=SEALED, guardian_relation=None,
                                         guardian=None, active_pair_ids=("p1",)), B, APR5))
    ledger = rows(batch)
    for figure in ("children", "children_paired", "children_tier_red", "children_category_left_behind"):
        assert (A, APR5, figure, -1) in ledger and (B, APR5, figure, 1) in ledger, figure
        assert as_of(ledger, "4401", APR5)[figure] == 1  # the city holds the child all along
    assert (as_of(ledger, "440105", APR5)["children"], as_of(ledger, "440117", APR5)["children"]) == (0, 1)
    left = fold(Fact(ChildLeftPair(child_id="c1", region=B, pair_id="p1", reason=PairEndReason.moved), B, date(2026, 5, 1)),
                batch=batch)
    assert (B, date(2026, 5, 1), "children_paired", -1) in rows(left)  # it leaves where it is now


def test_an_exit_takes_the_childs_stocks_no_earlier_than_they_last_changed() -> None:
    batch = fold(registered(day=MAR10),
                 Fact(ChildExited(child_id="c1", reason=ExitReason.aged_out, exited_on=MAR1), A, APR5))
    ledger = rows(batch)
    assert (A, MAR10, "children_exited_reason_aged_out", 1) in ledger  # not on 1 March, before it was on file
    assert [as_of(ledger, "", day).get("children", 0) for day in (MAR1, MAR10, APR5)] == [0, 0, 0]


def test_a_reminder_is_open_from_its_due_day_until_a_later_contact() -> None:
    contact = ReminderRaised(reminder_id="r1", rule=ReminderRule.contact_overdue, region=A, pair_id="p1",
                             child_id=None, wish_id=None, reference_date=MAR1, due_on=date(2026, 4, 1))
    visit = VisitLogged(pair_id="p1", visit_id="x1", kind=VisitKind.phone_call, visited_on=date(2026, 4, 9),
                        duration_minutes=20, child_ids=("c1",), note=None)
    batch = fold(registered(), recruited(), *paired(MAR1, MAR1), Fact(contact, A, date(2026, 4, 2)),
                 Fact(visit, A, date(2026, 4, 9)))
    ledger = rows(batch)
    assert as_of(ledger, "", date(2026, 4, 5))["reminders_open_contact_overdue"] == 1
    assert as_of(ledger, "", date(2026, 4, 9))["reminders_open_contact_overdue"] == 0
    assert as_of(ledger, "", date(2026, 4, 9))["reminders_raised_contact_overdue"] == 1
    birthday = ReminderRaised(reminder_id="r2", rule=ReminderRule.birthday_coming, region=A, pair_id=None,
                              child_id="c1", wish_id=None, reference_date=date(2026, 5, 8), due_on=date(2026, 5, 1))
    later = rows(fold(Fact(birthday, A, date(2026, 5, 1)), batch=batch))
    assert [as_of(later, "", d).get("reminders_open_birthday_coming", 0) for d in
            (date(2026, 4, 30), date(2026, 5, 8), date(2026, 5, 9))] == [0, 1, 0]  # closes after the birthday


def test_a_reminder_raised_after_its_cause_was_resolved_is_closed_at_once() -> None:
    batch = fold(registered(), recruited(), *paired(MAR1, MAR1),
                 Fact(PairEnded(pair_id="p1", reason=PairEndReason.mismatch), A, MAR10))
    late = ReminderRaised(reminder_id="r1", rule=ReminderRule.contact_overdue, region=A, pair_id="p1",
                          child_id=None, wish_id=None, reference_date=MAR1, due_on=date(2026, 4, 1))
    ledger = rows(fold(Fact(late, A, date(2026, 4, 2)), batch=batch))
    assert (A, date(2026, 4, 1), "reminders_open", 1) not in ledger  # +1 and -1 on its due day
    assert as_of(ledger, "", date(2026, 4, 2))["reminders_open"] == 0


def test_service_minutes_count_to_each_volunteer_present_and_once_to_each_team() -> None:
    team = TeamActivityLogged(team_id="t9", activity_id="a1", kind=ActivityKind.study_trip, held_on=MAR10,
                              duration_minutes=90, place=None, volunteer_ids=("v1", "v2"), child_ids=("c1",),
                              guardians_present=0, person_times=30, note=None, evidence=())
    batch = fold(registered(), recruited("v1", team_id="t1"), recruited("v2", team_id="t1"),
                 *paired(MAR1, MAR1), Fact(team, A, MAR10),
                 Fact(VisitLogged(pair_id="p1", visit_id="x1", kind=VisitKind.home_visit, visited_on=MAR10,
                                  duration_minutes=60, child_ids=("c1",), note=None), A, MAR10))
    assert batch.service_rows() == [
        {"holder": "team", "holder_id": "t1", "day": MAR10, "minutes": 60, "activities": 1},  # v1's visit
        {"holder": "team", "holder_id": "t9", "day": MAR10, "minutes": 180, "activities": 1},  # its own trip
        {"holder": "volunteer", "holder_id": "v1", "day": MAR10, "minutes": 150, "activities": 2},
        {"holder": "volunteer", "holder_id": "v2", "day": MAR10, "minutes": 90, "activities": 1}]
    ledger = rows(batch)
    assert as_of(ledger, "", MAR10)["service_minutes"] == 90 * 2 + 60
    # Those served: the trip's 30 less its 2 volunteers; the visit's c1 (v1 serves).
    assert as_of(ledger, "", MAR10)["person_times"] == 30 - 2 + 1
    assert as_of(ledger, "", MAR10)["volunteer_person_times"] == 2 + 1


def test_a_batch_reads_the_standing_its_events_need() -> None:
    visit = VisitLogged(pair_id="p1", visit_id="x1", kind=VisitKind.phone_call, visited_on=MAR10,
                        duration_minutes=20, child_ids=("c1", "c2"), note=None)
    need = needs([Fact(visit, A, MAR10), Fact(ChildExited(child_id="c3", reason=ExitReason.other, exited_on=MAR1), A, MAR10),
                  paired(MAR10, formed_on=MAR1)[0]])
    assert need["pairs"] == {"p1"} and need["children"] == {"c1", "c2", "c3"}
    assert need["subjects"] == {"p1", "c1", "c2", "c3"}
