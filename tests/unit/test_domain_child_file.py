"""The child's file, pure: given the child's past events, when a command is decided, then these
events (or a refusal). Needs surveys, guardian consent (and what it means for pairing),
transfer between regions, exit, and dates that have not happened yet."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.intake.child_file import (ChildExited, ChildNeedsSurveyed, ChildTransferredIn,
                                         ChildTransferredOut, ConsentScope, ExitChild, ExitReason,
                                         GuardianConsentGiven, GuardianConsentWithdrawn, NeedKind,
                                         RecordConsent, SurveyNeeds, WithdrawConsent)
from contracts.envelope import Actor, Event, FederationLevel
from contracts.intake.registration import (ChildCategory, ChildRegistered, ChildSubtype, GuardianRelation,
                                           Sex, VolunteerKind, VolunteerRecruited, VolunteerType)
from contracts.pairing.pairs import ChildJoinedPair, ChildLeftPair, FormPair, PairEndReason, PairMode
from contracts.privacy import Sealed
from contracts.regions import parse_region
from contracts.intake.volunteers import TrainingTopic, VolunteerTrained
from services.intake.child_file import (decide_consent, decide_exit, decide_survey, decide_transfer,
                                        decide_withdraw_consent)
from services.intake.domain import child_state, volunteer_state
from services.pairing.members import Memberships, child_pairs
from services.pairing.domain import decide_form_pair, pair_state
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

TODAY = date(2026, 6, 1)
ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
HOME = "440105001101"  # 下渡社区, 海珠区, 广州
ELSEWHERE = "510623100004"  # 公园街社区, 中江县, 德阳
N = NeedKind


def sealed(key: str) -> Sealed:
    return Sealed(key_id=key, nonce="AA==", ciphertext="AA==")


def registered(child_id: str = "c1", birth_date: date = date(2016, 3, 8)) -> ChildRegistered:
    return ChildRegistered(child_id=child_id, region=HOME, sex=Sex.female, birth_date=birth_date,
                           category=ChildCategory.in_difficulty, subtype=ChildSubtype.single_parent,
                           grade=4, personal=sealed(child_id),
                           guardian_relation=GuardianRelation.grandparent, guardian=sealed("g"))


def consented(*scopes: ConsentScope, child_id: str = "c1") -> GuardianConsentGiven:
    return GuardianConsentGiven(child_id=child_id, relation=GuardianRelation.grandparent,
                                given_by=sealed("g"), scopes=scopes or (ConsentScope.pairing,),
                                given_on=date(2026, 5, 1))


def joined(pair_id: str = "p1", child_id: str = "c1", mode: PairMode = PairMode.one_to_one) -> ChildJoinedPair:
    return ChildJoinedPair(child_id=child_id, region=HOME, pair_id=pair_id, mode=mode)


def left(pair_id: str = "p1", child_id: str = "c1") -> ChildLeftPair:
    return ChildLeftPair(child_id=child_id, region=HOME, pair_id=pair_id, reason=PairEndReason.moved)


# --- the commands, decided on the state the given events build ---

def survey(given: list[Event], needs: list[NeedKind], on: date = date(2026, 5, 20),
           notes: Sealed | None = None) -> list[Event]:
    command = SurveyNeeds(actor=ACTOR, child_id="c1", needs=needs, surveyed_on=on)
    return decide_survey(child_state(given), command, today=TODAY, notes=notes)


def consent(given: list[Event], *scopes: ConsentScope, on: date = date(2026, 5, 1)) -> list[Event]:
    command = RecordConsent(actor=ACTOR, child_id="c1", relation=GuardianRelation.grandparent,
                            given_by="李大山", scopes=list(scopes), given_on=on)
    return decide_consent(child_state(given), command, today=TODAY, given_by=sealed("g"))


def withdraw(given: list[Event], *scopes: ConsentScope, on: date = date(2026, 5, 25)) -> list[Event]:
    command = WithdrawConsent(actor=ACTOR, child_id="c1", scopes=list(scopes), withdrawn_on=on)
    return decide_withdraw_consent(child_state(given), command, today=TODAY)


def transfer(given: list[Event], to: str = ELSEWHERE) -> list[Event]:
    return decide_transfer(child_state(given), "c1", parse_region(to), active_pairs=child_pairs(given).active_pairs,
                           today=TODAY)


def exit_(given: list[Event], reason: ExitReason = ExitReason.parents_returned,
          on: date = date(2026, 5, 31)) -> list[Event]:
    command = ExitChild(actor=ACTOR, child_id="c1", reason=reason, exited_on=on)
    return decide_exit(child_state(given), command, today=TODAY, active_pairs=child_pairs(given).active_pairs)


VOLUNTEER = [
    VolunteerRecruited(volunteer_id="v1", region=HOME, sex=Sex.female, kind=VolunteerKind.mother,
                       volunteer_type=VolunteerType.neighbour, specialties=(), capacity=3,
                       personal=sealed("v1")),
    VolunteerTrained(volunteer_id="v1", training_id="t1", topic=TrainingTopic.minors_protection_law,
                     completed_on=date(2026, 5, 2)),
]


def pair(child_history: list[Event], pair_id: str = "p1") -> list[Event]:
    """Form a one-to-one pair of c1 with the trained volunteer v1."""
    command = FormPair(actor=ACTOR, pair_id=pair_id, mode=PairMode.one_to_one, child_ids=["c1"],
                       volunteer_ids=["v1"])
    return decide_form_pair(pair_state([]), command, pair_id=pair_id,
                            children={"c1": child_state(child_history)},
                            volunteers={"v1": volunteer_state(VOLUNTEER)},
                            pairs=Memberships({"c1": child_pairs(child_history)}), today=TODAY)


def of_child(events: list[Event]) -> list[Event]:
    """What pairing writes on the child's pairs (never on her file)."""
    return [e for e in events if e.aggregate_type == "pairing_child"]


# --- needs survey ---

def test_a_needs_survey_records_the_needs_once_each() -> None:
    [event] = survey([registered()], [N.family_affection, N.micro_wishes, N.family_affection],
                     notes=sealed("c1"))
    assert event == ChildNeedsSurveyed(child_id="c1", needs=(N.family_affection, N.micro_wishes),
                                       notes=sealed("c1"), surveyed_on=date(2026, 5, 20))


def test_a_resurvey_keeps_the_earlier_one_and_the_latest_needs_are_current() -> None:
    given: list[Event] = [registered()]
    first = survey(given, [N.family_affection, N.calls_and_visits], on=date(2025, 9, 1))
    given += first
    second = survey(given, [N.psychological_counselling], on=date(2026, 5, 20))
    given += second
    surveys = [e for e in given if isinstance(e, ChildNeedsSurveyed)]
    assert [(s.surveyed_on, s.needs) for s in surveys] == [
        (date(2025, 9, 1), (N.family_affection, N.calls_and_visits)),
        (date(2026, 5, 20), (N.psychological_counselling,)),
    ]
    assert child_state(given).needs == (N.psychological_counselling,)


def test_an_unregistered_child_is_not_surveyed() -> None:
    with pytest.raises(NotFound, match="child c1 is not registered"):
        survey([], [N.other])


# --- consent ---

def test_consent_is_given_and_withdrawn_per_scope() -> None:
    S = ConsentScope
    given: list[Event] = [registered()]
    [given_event] = consent(given, S.pairing, S.photos, S.pairing)
    assert given_event.scopes == (S.pairing, S.photos)
    assert given_event.given_by == sealed("g")  # the guardian's name only sealed
    given.append(given_event)
    assert child_state(given).consents == {S.pairing, S.photos}

    # Only what is held is withdrawn; a scope never given is passed over.
    [withdrawn] = withdraw(given, S.photos, S.data_sharing)
    assert withdrawn == GuardianConsentWithdrawn(child_id="c1", scopes=(S.photos,),
                                                 withdrawn_on=date(2026, 5, 25))
    given.append(withdrawn)
    assert child_state(given).consents == {S.pairing}


def test_withdrawing_a_consent_that_is_not_held_is_refused() -> None:
    given = [registered(), consented(ConsentScope.pairing)]
    with pytest.raises(RuleViolated, match="no consent for data_sharing to withdraw"):
        withdraw(given, ConsentScope.data_sharing)
    given.append(GuardianConsentWithdrawn(child_id="c1", scopes=(ConsentScope.pairing,),
                                          withdrawn_on=date(2026, 5, 2)))
    with pytest.raises(RuleViolated, match="no consent for pairing"):  # withdrawn twice
        withdraw(given, ConsentScope.pairing)


# --- consent at pairing: a child under 14 needs the guardian's consent to pairing ---

def test_a_child_under_14_without_consent_is_refused_at_pairing_and_told_why() -> None:
    with pytest.raises(RuleViolated) as refused:
        pair([registered()])
    assert refused.value.message == (
        "child c1 is 10: pairing a child under 14 needs the guardian's consent to pairing, "
        "and none is on file")


def test_consent_to_other_scopes_does_not_allow_pairing() -> None:
    with pytest.raises(RuleViolated, match="under 14 needs the guardian's consent to pairing"):
        pair([registered(), consented(ConsentScope.photos, ConsentScope.data_sharing)])


def test_with_consent_the_child_is_paired_and_withdrawing_it_refuses_again() -> None:
    given: list[Event] = [registered(), consented(ConsentScope.pairing)]
    assert of_child(pair(given)) == [joined()]
    given += withdraw(given, ConsentScope.pairing)
    with pytest.raises(RuleViolated, match="under 14 needs the guardian's consent"):
        pair(given)
    given += consent(given, ConsentScope.pairing, on=date(2026, 5, 30))  # given again
    assert of_child(pair(given)) == [joined()]


@pytest.mark.parametrize(("birth_date", "needs_consent"), [
    (date(2012, 6, 1), False),  # 14 today
    (date(2012, 6, 2), True),  # 14 tomorrow
    (date(2012, 2, 29), False),  # born on a leap day: 14 on 1 March 2026, before today
    (date(2009, 1, 1), False),
])
def test_consent_is_needed_until_the_14th_birthday(birth_date: date, needs_consent: bool) -> None:
    given = [registered(birth_date=birth_date)]
    if needs_consent:
        with pytest.raises(RuleViolated, match="is 13: pairing a child under 14"):
            pair(given)
    else:
        assert of_child(pair(given)) == [joined()]


# --- transfer ---

def test_a_transfer_emits_out_then_in_with_the_files_facts() -> None:
    given = [registered(), consented(), joined("p1"), joined("p2", mode=PairMode.collective)]
    out, into = transfer(given)
    assert out == ChildTransferredOut(child_id="c1", from_region=HOME, to_region=ELSEWHERE, transferred_on=TODAY)
    file = given[0]
    assert into == ChildTransferredIn(
        child_id="c1", region=ELSEWHERE, from_region=HOME, sex=file.sex, birth_date=file.birth_date,
        category=file.category, subtype=file.subtype, grade=file.grade, personal=file.personal,
        guardian_relation=file.guardian_relation, guardian=file.guardian, active_pair_ids=("p1", "p2"),
        transferred_on=TODAY, registered_on=file.registered_on)
    state = child_state([*given, out, into])
    # The child moves with its pairs and consents; nothing else about it changes.
    assert (state.region, state.registration) == (ELSEWHERE, into)
    assert set(child_pairs([*given, out, into]).active_pairs) == {"p1", "p2"}
    assert ConsentScope.pairing in state.consents
    assert state.birth_date == file.birth_date


def test_after_a_transfer_out_alone_the_child_still_lives_where_it_was() -> None:
    given = [registered()]
    out, _ = transfer(given)
    assert child_state([*given, out]).region == HOME


def test_a_second_transfer_carries_the_facts_on_and_may_lead_back_home() -> None:
    given: list[Event] = [registered()]
    given += transfer(given)
    back_out, back_in = transfer(given, to=HOME)
    assert (back_out.from_region, back_out.to_region) == (ELSEWHERE, HOME)
    assert (back_in.region, back_in.from_region) == (HOME, ELSEWHERE)
    assert (back_in.personal, back_in.grade, back_in.subtype) == (sealed("c1"), 4, ChildSubtype.single_parent)
    assert back_in.active_pair_ids == ()


def test_a_transfer_to_the_community_the_child_lives_in_is_refused() -> None:
    with pytest.raises(InvalidCommand) as refused:
        transfer([registered()], to=HOME)
    assert refused.value.details[0].loc == ["to_region"]
    assert "already lives in 440105001101" in refused.value.message
    moved = [registered(), *transfer([registered()])]
    with pytest.raises(InvalidCommand, match=f"already lives in {ELSEWHERE}"):
        transfer(moved, to=ELSEWHERE)


def test_an_unregistered_child_is_not_transferred() -> None:
    with pytest.raises(NotFound):
        transfer([])


# --- exit ---

def test_exit_is_refused_while_the_child_is_in_an_active_pair_and_allowed_after() -> None:
    given: list[Event] = [registered(), consented(), joined("p1")]
    with pytest.raises(RuleViolated, match="still in pair\\(s\\) p1; end them first"):
        exit_(given)
    given.append(left("p1"))
    assert exit_(given) == [ChildExited(child_id="c1", reason=ExitReason.parents_returned,
                                        exited_on=date(2026, 5, 31))]


def test_an_exited_child_is_not_surveyed_paired_transferred_or_exited_again() -> None:
    given: list[Event] = [registered(), consented()]
    given += exit_(given, ExitReason.aged_out)
    assert child_state(given).exited is ExitReason.aged_out
    left_programme = "child c1 left the programme \\(aged_out\\)"
    with pytest.raises(RuleViolated, match=left_programme):
        survey(given, [N.other])
    with pytest.raises(RuleViolated, match=left_programme):
        pair(given)
    with pytest.raises(RuleViolated, match=left_programme):
        transfer(given)
    with pytest.raises(RuleViolated, match=left_programme):
        consent(given, ConsentScope.photos)
    with pytest.raises(RuleViolated, match=left_programme):
        exit_(given)


# --- dates ---

@pytest.mark.parametrize(("decide", "field"), [
    (lambda given, day: survey(given, [N.other], on=day), "surveyed_on"),
    (lambda given, day: consent(given, ConsentScope.pairing, on=day), "given_on"),
    (lambda given, day: withdraw(given, ConsentScope.pairing, on=day), "withdrawn_on"),
    (lambda given, day: exit_(given, on=day), "exited_on"),
])
def test_a_date_in_the_future_is_refused_with_its_field(decide, field: str) -> None:
    given = [registered(), consented()]
    assert decide(given, TODAY)  # today is fine
    with pytest.raises(InvalidCommand) as refused:
        decide(given, date(2026, 6, 2))
    assert refused.value.details[0].loc == [field]
    assert "2026-06-02 is in the future" in refused.value.details[0].msg
