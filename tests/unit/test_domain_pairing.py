"""Pairing rules, pure: given past events of the pair, children and volunteers, when a command is
decided, then these events (or a refusal)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.intake.child_file import ConsentScope, GuardianConsentGiven
from contracts.envelope import Actor, Event, FederationLevel
from contracts.intake.volunteers import TrainingTopic, VolunteerTrained
from contracts.intake.registration import (ChildCategory, ChildRegistered, Sex, VolunteerKind,
                                           VolunteerRecruited, VolunteerType)
from contracts.pairing.pairs import (ChildJoinedPair, ChildLeftPair, EndPair, FormPair, PairEndReason,
                                     PairEnded, PairFormed, PairMode, VolunteerJoinedPair, VolunteerLeftPair)
from contracts.privacy import Sealed
from services.intake.domain import child_state, volunteer_state
from services.pairing.domain import decide_end_pair, decide_form_pair, pair_state
from services.pairing.members import Memberships, child_pairs, volunteer_pairs
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
REGION = "440105001101"
M = PairMode


def sealed(person: str) -> Sealed:
    return Sealed(key_id=person, nonce="AA==", ciphertext="AA==")


def child(child_id: str) -> ChildRegistered:
    return ChildRegistered(child_id=child_id, region=REGION, sex=Sex.male, birth_date=date(2015, 1, 1),
                           category=ChildCategory.left_behind, subtype=None, personal=sealed(child_id),
                           guardian_relation=None, guardian=None)


def volunteer(volunteer_id: str, capacity: int = 3, kind: VolunteerKind = VolunteerKind.mother):
    return VolunteerRecruited(volunteer_id=volunteer_id, region=REGION, sex=Sex.female, kind=kind,
                              volunteer_type=VolunteerType.neighbour, specialties=(),
                              capacity=capacity, personal=sealed(volunteer_id))


TODAY = date(2026, 6, 1)


def consent(child_id: str) -> GuardianConsentGiven:
    return GuardianConsentGiven(child_id=child_id, relation="grandparent", given_by=sealed("g"),
                                scopes=(ConsentScope.pairing,), given_on=date(2026, 1, 1))


def trained(volunteer_id: str) -> VolunteerTrained:
    return VolunteerTrained(volunteer_id=volunteer_id, training_id="t1",
                            topic=TrainingTopic.minors_protection_law, completed_on=date(2026, 1, 2))


PROGRAMME = [child("c1"), child("c2"), child("c3"), volunteer("v1"), volunteer("v2"),
             volunteer("f1", capacity=1, kind=VolunteerKind.family),
             consent("c1"), consent("c2"), consent("c3"), trained("v1"), trained("v2"), trained("f1")]


def history(given: list[Event], aggregate_type: str, aggregate_id: str) -> list[Event]:
    return [e for e in given if (e.aggregate_type, e.aggregate_id) == (aggregate_type, aggregate_id)]


def form(given: list[Event], mode: PairMode, child_ids: list[str], volunteer_ids: list[str],
         pair_id: str = "p1", **fields) -> list[Event]:
    command = FormPair(actor=ACTOR, pair_id=pair_id, mode=mode, child_ids=child_ids,
                       volunteer_ids=volunteer_ids, **fields)
    return decide_form_pair(
        pair_state(history(given, "pair", pair_id)), command, pair_id=pair_id,
        children={c: child_state(history(given, "child", c)) for c in child_ids},
        volunteers={v: volunteer_state(history(given, "volunteer", v)) for v in volunteer_ids},
        pairs=memberships(given, child_ids, volunteer_ids), today=TODAY,
    )


def memberships(given: list[Event], child_ids, volunteer_ids) -> Memberships:
    """The members' pairs, from pairing's own aggregates of them."""
    return Memberships({c: child_pairs(history(given, "pairing_child", c)) for c in child_ids},
                       {v: volunteer_pairs(history(given, "pairing_volunteer", v)) for v in volunteer_ids})


def end(given: list[Event], pair_id: str = "p1") -> list[Event]:
    command = EndPair(actor=ACTOR, pair_id=pair_id, reason=PairEndReason.moved)
    pair = pair_state(history(given, "pair", pair_id))
    return decide_end_pair(pair, command,
                           children={c: child_state(history(given, "child", c)) for c in pair.child_ids},
                           volunteers={v: volunteer_state(history(given, "volunteer", v)) for v in pair.volunteer_ids},
                           today=TODAY)


@pytest.mark.parametrize(("mode", "child_ids", "volunteer_ids", "load"), [
    (M.one_to_one, ["c1"], ["v1"], 1),
    (M.one_to_many, ["c1", "c2", "c3"], ["v1"], 3),
    (M.many_to_one, ["c1"], ["v1", "v2"], 1),
    (M.collective, ["c1", "c2"], ["v1", "v2"], 0),  # a collective pair takes no individual capacity
    (M.family, ["c1"], ["f1"], 1),
])
def test_each_mode_forms_one_pair_with_an_event_per_member(mode, child_ids, volunteer_ids, load) -> None:
    events = form(PROGRAMME, mode, child_ids, volunteer_ids)
    assert events == [
        PairFormed(pair_id="p1", mode=mode, region=REGION, child_ids=tuple(child_ids),
                   volunteer_ids=tuple(volunteer_ids), formed_on=TODAY),
        *(ChildJoinedPair(child_id=c, region=REGION, pair_id="p1", mode=mode) for c in child_ids),
        *(VolunteerJoinedPair(volunteer_id=v, region=REGION, pair_id="p1", mode=mode, children=load)
          for v in volunteer_ids),
    ]


@pytest.mark.parametrize(("mode", "child_ids", "volunteer_ids", "field"), [
    (M.one_to_one, ["c1", "c2"], ["v1"], "child_ids"),
    (M.one_to_one, ["c1"], ["v1", "v2"], "volunteer_ids"),
    (M.one_to_many, ["c1"], ["v1"], "child_ids"),
    (M.many_to_one, ["c1"], ["v1"], "volunteer_ids"),
    (M.collective, ["c1"], ["v1"], "child_ids"),
    (M.family, ["c1"], ["f1", "v1"], "volunteer_ids"),
    (M.one_to_many, ["c1", "c1"], ["v1"], "child_ids"),  # listed twice
])
def test_a_pair_of_the_wrong_shape_is_invalid(mode, child_ids, volunteer_ids, field) -> None:
    with pytest.raises(InvalidCommand) as refused:
        form(PROGRAMME, mode, child_ids, volunteer_ids)
    assert refused.value.details[0].loc == [field]


def test_a_pair_is_formed_on_the_day_the_command_names_or_today() -> None:
    [formed, *_] = form(PROGRAMME, M.one_to_one, ["c1"], ["v1"], formed_on=date(2026, 5, 20))
    assert formed.formed_on == date(2026, 5, 20)
    assert pair_state([formed]).formed_on == date(2026, 5, 20)
    with pytest.raises(InvalidCommand, match="2026-06-02 is in the future") as refused:
        form(PROGRAMME, M.one_to_one, ["c1"], ["v1"], formed_on=date(2026, 6, 2))
    assert refused.value.details[0].loc == ["formed_on"]
    with pytest.raises(InvalidCommand, match=r"2014-12-31 is before child c1 was born \(2015-01-01\)"):
        form(PROGRAMME, M.one_to_one, ["c1"], ["v1"], formed_on=date(2014, 12, 31))


def test_unknown_child_or_volunteer_is_not_found() -> None:
    with pytest.raises(NotFound, match="child c9 is not registered"):
        form(PROGRAMME, M.one_to_one, ["c9"], ["v1"])
    with pytest.raises(NotFound, match="volunteer v9 is not recruited"):
        form(PROGRAMME, M.one_to_one, ["c1"], ["v9"])


def test_a_child_has_one_one_to_one_pair_at_a_time() -> None:
    given = PROGRAMME + form(PROGRAMME, M.one_to_one, ["c1"], ["v1"])
    with pytest.raises(RuleViolated, match="already has an active one-to-one pair"):
        form(given, M.one_to_one, ["c1"], ["v2"], pair_id="p2")
    # Group activities come on top of a child's one-to-one pair.
    assert form(given, M.many_to_one, ["c1"], ["v1", "v2"], pair_id="p2")


def test_a_volunteer_cares_for_no_more_children_than_her_capacity() -> None:
    given = PROGRAMME + form(PROGRAMME, M.one_to_many, ["c1", "c2"], ["v1"])  # v1: 2 of 3
    with pytest.raises(RuleViolated, match="cares for 2 of 3 children already"):
        form(given, M.one_to_many, ["c2", "c3"], ["v1"], pair_id="p2")
    assert form(given, M.one_to_one, ["c3"], ["v1"], pair_id="p2")


def test_family_pairing_needs_a_caring_family() -> None:
    with pytest.raises(RuleViolated, match="v1 is a mother, not a caring family"):
        form(PROGRAMME, M.family, ["c1"], ["v1"])


def test_ending_a_pair_releases_every_member_and_frees_capacity() -> None:
    given = PROGRAMME + form(PROGRAMME, M.family, ["c1"], ["f1"])
    with pytest.raises(RuleViolated, match="cares for 1 of 1"):
        form(given, M.family, ["c2"], ["f1"], pair_id="p2")

    ended = end(given)
    assert ended == [PairEnded(pair_id="p1", reason=PairEndReason.moved, ended_on=TODAY),
                     ChildLeftPair(child_id="c1", region=REGION, pair_id="p1", reason=PairEndReason.moved),
                     VolunteerLeftPair(volunteer_id="f1", region=REGION, pair_id="p1", reason=PairEndReason.moved,
                                       children=1)]
    given += ended
    assert volunteer_pairs(history(given, "pairing_volunteer", "f1")).children_in_care == 0
    assert child_pairs(history(given, "pairing_child", "c1")).active_pairs == {}
    assert form(given, M.family, ["c2"], ["f1"], pair_id="p2")


def test_a_pair_ends_once_and_must_exist() -> None:
    given = PROGRAMME + form(PROGRAMME, M.one_to_one, ["c1"], ["v1"])
    given += end(given)
    with pytest.raises(RuleViolated, match="pair p1 has already ended"):
        end(given)
    with pytest.raises(NotFound, match="pair p9 does not exist"):
        end(given, "p9")


def test_a_pair_id_is_used_once() -> None:
    given = PROGRAMME + form(PROGRAMME, M.one_to_one, ["c1"], ["v1"])
    with pytest.raises(RuleViolated, match="pair p1 already exists"):
        form(given, M.one_to_one, ["c2"], ["v2"])


def test_a_child_under_14_without_the_guardians_consent_is_not_paired() -> None:
    given = [child("c9"), volunteer("v1"), trained("v1")]
    with pytest.raises(RuleViolated, match="under 14 needs the guardian's consent"):
        form(given, M.one_to_one, ["c9"], ["v1"])


def test_a_volunteer_without_the_required_training_is_in_the_reserve_pool() -> None:
    given = [child("c1"), consent("c1"), volunteer("v9")]
    with pytest.raises(RuleViolated, match="reserve pool: required training not completed"):
        form(given, M.one_to_one, ["c1"], ["v9"])
