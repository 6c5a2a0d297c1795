"""Business days in commands, pure: each command takes the day it happened (default today), refuses
a day after today, and a day before the facts it follows — a pair before its child was registered or
its volunteer recruited, money into a fund before it opened, a station's activity before it opened,
an exit or a move before the child was on file, a pair's end before it was formed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest

from contracts.activity.care import ActivityKind, LogCollectiveActivity
from contracts.activity.concerns import AssessRisk, RiskTier
from contracts.activity.wishes import ApproveWish, SubmitWish
from contracts.activity.giving import (AllocationTarget, DeliverGiftPack, DonationReceived, DonorKind, FundAllocated,
                                       FundOpened, OpenFund, ReceiveDonation, RegisterDonor)
from contracts.envelope import Actor, Event, FederationLevel
from contracts.intake.child_file import ConsentScope, ExitChild, ExitReason, GuardianConsentGiven
from contracts.intake.registration import (ChildCategory, ChildRegistered, RecruitVolunteer, RegisterChild, Sex,
                                           VolunteerKind, VolunteerRecruited, VolunteerType)
from contracts.intake.volunteers import (CloseStation, FormTeam, OpenStation, RecordTraining, StationOpened,
                                         TrainingTopic, VolunteerTrained, Weekday, WithdrawVolunteer)
from contracts.pairing.pairs import EndPair, FormPair, PairFormed, PairMode
from contracts.privacy import Sealed
from contracts.regions import parse_region
from services.activity.care.activities import decide_log_collective, host_state
from services.activity.concerns.tier import decide_assess_risk
from services.activity.giving import funds, gift_packs
from services.activity.giving import wishes
from services.activity.giving.funds import InsufficientFunds, fund_state
from services.activity.giving.wishes import Wish, wish_lifecycle
from services.intake import child_file, organisation
from services.intake.domain import (ChildState, VolunteerState, child_state, decide_recruit_volunteer,
                                    decide_register_child, volunteer_state)
from services.pairing.domain import decide_end_pair, decide_form_pair, pair_state
from services.pairing.members import Memberships
from services.shared.errors import InvalidCommand

ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
VILLAGE = "440105001101"
TODAY = date(2026, 6, 1)
SEALED = Sealed(key_id="k", nonce="AA==", ciphertext="AA==")


@contextmanager
def refused(field: str, match: str) -> Iterator[None]:
    """Expect an InvalidCommand naming `field`, whose message matches `match`."""
    with pytest.raises(InvalidCommand, match=match) as error:
        yield
    assert error.value.details[0].loc == [field]


def registered(on: date | None) -> ChildRegistered:
    return ChildRegistered(child_id="c1", region=VILLAGE, sex=Sex.female, birth_date=date(2015, 1, 1),
                           category=ChildCategory.left_behind, subtype=None, personal=SEALED,
                           guardian_relation=None, guardian=None, registered_on=on)


def recruited(on: date | None) -> VolunteerRecruited:
    return VolunteerRecruited(volunteer_id="v1", region=VILLAGE, sex=Sex.female, kind=VolunteerKind.mother,
                              volunteer_type=VolunteerType.neighbour, specialties=(), capacity=2,
                              personal=SEALED, recruited_on=on)


def register(**fields) -> list[Event]:
    command = RegisterChild(actor=ACTOR, region=VILLAGE, name="李小花", sex=Sex.female,
                            birth_date=date(2015, 1, 1), category=ChildCategory.left_behind, **fields)
    return decide_register_child(ChildState(), command, child_id="c1", region=parse_region(VILLAGE),
                                 today=TODAY, personal=SEALED, guardian=None)


def test_a_child_is_registered_today_by_default_or_on_the_day_given() -> None:
    assert register()[0].registered_on == TODAY
    assert register(registered_on=date(2024, 9, 1))[0].registered_on == date(2024, 9, 1)
    assert child_state(register(registered_on=date(2024, 9, 1))).registered_on == date(2024, 9, 1)


@pytest.mark.parametrize(("day", "problem"), [(date(2026, 6, 2), "in the future"),
                                              (date(2014, 12, 31), "before the day she was born")])
def test_a_registration_in_the_future_or_before_birth_is_refused(day: date, problem: str) -> None:
    with pytest.raises(InvalidCommand, match=problem) as error:
        register(registered_on=day)
    assert error.value.details[0].loc == ["registered_on"]


def test_a_volunteer_is_recruited_on_her_day_and_may_be_staff() -> None:
    command = RecruitVolunteer(actor=ACTOR, region=VILLAGE, name="王芳", sex=Sex.female, kind=VolunteerKind.mother,
                               staff=True, recruited_on=date(2025, 3, 1))
    [event] = decide_recruit_volunteer(VolunteerState(), command, volunteer_id="v1", region=parse_region(VILLAGE),
                                       personal=SEALED, today=TODAY)
    assert (event.recruited_on, event.staff) == (date(2025, 3, 1), True)
    assert volunteer_state([event]).staff
    with pytest.raises(InvalidCommand, match="in the future"):
        decide_recruit_volunteer(VolunteerState(), command.model_copy(update={"recruited_on": date(2027, 1, 1)}),
                                 volunteer_id="v1", region=parse_region(VILLAGE), personal=SEALED, today=TODAY)


PROGRAMME = [registered(date(2025, 3, 1)), recruited(date(2025, 5, 1)),
             GuardianConsentGiven(child_id="c1", relation="grandparent", given_by=SEALED,
                                  scopes=(ConsentScope.pairing,), given_on=date(2025, 3, 1)),
             VolunteerTrained(volunteer_id="v1", training_id="t1", topic=TrainingTopic.minors_protection_law,
                              completed_on=date(2025, 5, 2))]


def form(on: date) -> list[Event]:
    children = {"c1": child_state([e for e in PROGRAMME if getattr(e, "child_id", None) == "c1"])}
    volunteers = {"v1": volunteer_state([e for e in PROGRAMME if getattr(e, "volunteer_id", None) == "v1"])}
    command = FormPair(actor=ACTOR, child_ids=["c1"], volunteer_ids=["v1"], formed_on=on)
    return decide_form_pair(pair_state([]), command, pair_id="p1", children=children, volunteers=volunteers,
                            pairs=Memberships(), today=TODAY)


def test_a_pair_is_formed_only_once_its_child_and_volunteer_are_on_file() -> None:
    assert form(date(2025, 5, 1))[0].formed_on == date(2025, 5, 1)
    with refused("formed_on", "before the day child c1 was registered"):
        form(date(2025, 2, 28))
    with refused("formed_on", "before the day volunteer v1 was recruited"):
        form(date(2025, 4, 30))


def test_a_pair_ends_on_its_day_not_before_it_was_formed() -> None:
    pair = pair_state([PairFormed(pair_id="p1", mode=PairMode.one_to_one, region=VILLAGE, child_ids=("c1",),
                                  volunteer_ids=("v1",), formed_on=date(2025, 5, 1))])
    members = {"children": {"c1": child_state(PROGRAMME[:1])}, "volunteers": {"v1": volunteer_state(PROGRAMME[1:2])}}
    ended = decide_end_pair(pair, EndPair(actor=ACTOR, pair_id="p1", reason="moved", ended_on=date(2025, 9, 1)),
                            **members, today=TODAY)
    assert ended[0].ended_on == date(2025, 9, 1)
    with refused("ended_on", "before the day pair p1 was formed"):
        decide_end_pair(pair, EndPair(actor=ACTOR, pair_id="p1", reason="moved", ended_on=date(2025, 4, 1)),
                        **members, today=TODAY)


def test_an_exit_or_a_move_before_the_child_was_registered_is_refused() -> None:
    child = child_state([registered(date(2025, 3, 1))])
    with refused("exited_on", "before the day child c1's file last changed"):
        child_file.decide_exit(child, ExitChild(actor=ACTOR, child_id="c1", reason=ExitReason.aged_out,
                                                exited_on=date(2025, 1, 1)), today=TODAY, active_pairs=())
    with refused("transferred_on", "before the day child c1's file last changed"):
        child_file.decide_transfer(child, "c1", parse_region("440105001102"), active_pairs=(), today=TODAY,
                                   transferred_on=date(2025, 2, 1))
    out, into = child_file.decide_transfer(child, "c1", parse_region("440105001102"), active_pairs=(),
                                           today=TODAY, transferred_on=date(2025, 8, 1))
    moved = child_state([registered(date(2025, 3, 1)), out, into])
    assert (moved.registered_on, moved.since) == (date(2025, 3, 1), date(2025, 8, 1))


def test_no_money_comes_into_a_fund_before_it_opened() -> None:
    fund = fund_state([FundOpened(fund_id="f1", region="440105", name="微心愿基金", opened_on=date(2025, 12, 1))])
    donation = ReceiveDonation(actor=ACTOR, fund_id="f1", donor_kind=DonorKind.enterprise, donor_id="d1",
                               amount_yuan=Decimal("1000000"), received_on=date(2025, 9, 1))
    with refused("received_on", "before the day fund f1 opened"):
        funds.decide_receive_donation(fund, donation, donation_id="x", donor_known=True, today=TODAY)


def test_money_is_allocated_only_from_what_the_fund_held_on_that_day_and_after() -> None:
    fund = fund_state([FundOpened(fund_id="f1", region="440105", name="基金", opened_on=date(2025, 1, 1)),
                       DonationReceived(fund_id="f1", donation_id="x", donor_kind=DonorKind.enterprise,
                                        donor_id="d1", amount_fen=10_000, received_on=date(2025, 6, 1))])
    allocate = {"fund_id": "f1", "allocation_id": "a", "target": AllocationTarget.gift_pack, "target_id": "g",
                "target_region": VILLAGE, "amount_fen": 5_000}
    with pytest.raises(InsufficientFunds, match="held 0.00 yuan on 2025-05-01"):
        funds.decide_allocate(fund, **allocate, allocated_on=date(2025, 5, 1))
    [allocated] = funds.decide_allocate(fund, **allocate, allocated_on=date(2025, 6, 1))
    assert allocated.allocated_on == date(2025, 6, 1)
    spent = fund_state([*[FundOpened(fund_id="f1", region="440105", name="基金", opened_on=date(2025, 1, 1)),
                          DonationReceived(fund_id="f1", donation_id="x", donor_kind=DonorKind.enterprise,
                                           donor_id="d1", amount_fen=10_000, received_on=date(2025, 6, 1))],
                        FundAllocated(fund_id="f1", allocation_id="b", target=AllocationTarget.wish,
                                      target_id="w", amount_fen=8_000, allocated_on=date(2025, 7, 1))])
    # 10,000 on June 1 but 2,000 from July 1: 5,000 on June 15 would leave July below zero.
    with pytest.raises(InsufficientFunds):
        funds.decide_allocate(spent, **allocate, allocated_on=date(2025, 6, 15))
    with refused("allocated_on", "before the day fund f1 opened"):
        funds.decide_allocate(fund, **allocate, allocated_on=date(2024, 12, 31))


def test_funds_donors_teams_and_stations_take_their_days() -> None:
    region = parse_region("440105")
    opening = OpenFund(actor=ACTOR, region="440105", name="基金", opened_on=date(2025, 1, 1))
    [fund] = funds.decide_open_fund(False, opening, fund_id="f1", region=region, today=TODAY)
    [donor] = funds.decide_register_donor(False, RegisterDonor(actor=ACTOR, region="440105", name="某企业"),
                                          donor_id="d1", region=region, today=TODAY)
    [team] = organisation.decide_form_team(False, FormTeam(actor=ACTOR, region="440105", name="队",
                                                           formed_on=date(2024, 3, 8)),
                                           team_id="t1", region=region, today=TODAY)
    assert (fund.opened_on, donor.registered_on, team.formed_on) == (date(2025, 1, 1), TODAY, date(2024, 3, 8))
    with refused("opened_on", "in the future"):
        organisation.decide_open_station(False, OpenStation(actor=ACTOR, region=VILLAGE, name="驿站",
                                                            opening_days=[Weekday.sat, Weekday.sun],
                                                            opened_on=date(2026, 7, 1)),
                                         station_id="s1", region=parse_region(VILLAGE), today=TODAY)
    with refused("closed_on", "before the day station s1 opened"):
        organisation.decide_close_station(True, False, CloseStation(actor=ACTOR, station_id="s1", reason="moved",
                                                                    closed_on=date(2025, 1, 1)),
                                          today=TODAY, opened_on=date(2025, 7, 1))


def test_a_station_activity_before_the_station_opened_is_refused() -> None:
    station = host_state("station", "s1", [StationOpened(station_id="s1", region=VILLAGE, name="驿站",
                                                         opening_days=("sat", "sun"), opened_on=date(2025, 7, 1))])
    command = LogCollectiveActivity(actor=ACTOR, station_id="s1", kind=ActivityKind.reading, held_on=date(2025, 6, 30),
                                    duration_minutes=60, attendance=20)
    with refused("held_on", "before the day station s1 opened"):
        decide_log_collective(station, command, activity_id="a1", today=TODAY)
    assert decide_log_collective(station, command.model_copy(update={"held_on": date(2025, 7, 1)}),
                                 activity_id="a1", today=TODAY)


def test_a_withdrawal_before_the_volunteer_was_recruited_is_refused() -> None:
    volunteer = volunteer_state([recruited(date(2025, 5, 1))])
    with refused("withdrawn_on", "before the day volunteer v1 was recruited"):
        organisation.decide_withdraw(volunteer, WithdrawVolunteer(actor=ACTOR, volunteer_id="v1", reason="moved",
                                                                  withdrawn_on=date(2025, 4, 1)),
                                     active_pairs=(), today=TODAY)


def test_a_wishs_steps_follow_one_another_and_the_childs_registration() -> None:
    child = child_state([registered(date(2025, 3, 1))])
    submit = SubmitWish(actor=ACTOR, child_id="c1", item="书包", estimated_cost_yuan=80, submitted_on=date(2025, 2, 1))
    with refused("submitted_on", "before the day child c1 was registered"):
        wishes.decide_submit(Wish(), child, submit, wish_id="w1", item=SEALED, today=TODAY)
    submitted = wishes.decide_submit(Wish(), child, submit.model_copy(update={"submitted_on": date(2025, 4, 1)}),
                                     wish_id="w1", item=SEALED, today=TODAY)
    wish = wish_lifecycle(submitted)
    with refused("approved_on", "before the day wish w1's last step"):
        wishes.decide_approve(wish, ApproveWish(actor=ACTOR, wish_id="w1", approved_on=date(2025, 3, 31)), today=TODAY)
    [approved] = wishes.decide_approve(wish, ApproveWish(actor=ACTOR, wish_id="w1"), today=TODAY)
    assert (submitted[0].submitted_on, approved.approved_on) == (date(2025, 4, 1), TODAY)


def test_a_risk_assessment_is_dated_not_before_the_child_was_on_file() -> None:
    child = child_state([registered(date(2025, 3, 1))])
    command = AssessRisk(actor=ACTOR, child_id="c1", tier=RiskTier.red, reason="独自在家", assessed_on=date(2025, 2, 1))
    with refused("assessed_on", "before the day child c1 was registered"):
        decide_assess_risk(child, None, command, reason=SEALED, today=TODAY)
    [assessed] = decide_assess_risk(child, None, command.model_copy(update={"assessed_on": None}), reason=SEALED,
                                    today=TODAY)
    assert assessed.assessed_on == TODAY


def test_no_one_leaves_before_her_last_pair_ended() -> None:
    child, volunteer = child_state([registered(date(2025, 3, 1))]), volunteer_state([recruited(date(2025, 5, 1))])
    exit_ = ExitChild(actor=ACTOR, child_id="c1", reason=ExitReason.aged_out, exited_on=date(2025, 8, 1))
    with refused("exited_on", "before the day child c1's last pair ended"):
        child_file.decide_exit(child, exit_, today=TODAY, active_pairs=(), pairs_ended_on=date(2025, 9, 1))
    withdraw = WithdrawVolunteer(actor=ACTOR, volunteer_id="v1", reason="moved", withdrawn_on=date(2025, 8, 1))
    with refused("withdrawn_on", "before the day volunteer v1's last pair ended"):
        organisation.decide_withdraw(volunteer, withdraw, active_pairs=(), today=TODAY, pairs_ended_on=date(2025, 9, 1))
    assert organisation.decide_withdraw(volunteer, withdraw, active_pairs=(), today=TODAY,
                                        pairs_ended_on=date(2025, 8, 1))


def test_a_gift_pack_is_not_handed_over_at_a_station_before_it_opened() -> None:
    child = child_state([registered(date(2025, 3, 1))])
    command = DeliverGiftPack(actor=ACTOR, child_id="c1", delivered_on=date(2025, 6, 1), team_id="t1", station_id="s1")
    with refused("delivered_on", "before the day station s1 opened"):
        gift_packs.decide_deliver(False, child, command, gift_pack_id="g1", today=TODAY, team_exists=True,
                                  station_open=True, station_opened_on=date(2025, 7, 1))
    with refused("delivered_on", "before the day child c1 was registered"):
        gift_packs.decide_deliver(False, child, command.model_copy(update={"delivered_on": date(2025, 2, 1)}),
                                  gift_pack_id="g1", today=TODAY, team_exists=True, station_open=True)


def test_a_training_at_a_station_is_not_held_before_the_station_opened() -> None:
    volunteers = {"v1": volunteer_state([recruited(date(2025, 5, 1))])}
    training = RecordTraining(actor=ACTOR, topic=TrainingTopic.safety, held_on=date(2025, 4, 1), station_id="s1",
                              volunteer_ids=["v1"])
    with refused("held_on", "before the day station s1 opened"):
        organisation.decide_training(training, training_id="t", region=parse_region(VILLAGE), volunteers=volunteers,
                                     today=TODAY, station_opened_on=date(2025, 4, 2))
    # Held before she was recruited: pre-service training is usual, and is kept.
    assert organisation.decide_training(training, training_id="t", region=parse_region(VILLAGE),
                                        volunteers=volunteers, today=TODAY, station_opened_on=date(2025, 4, 1))
