"""The pairing pages' words: every term the matching engine can give a score, every reason it gives
for a child it cannot pair or left unmatched, and every reason it passes volunteers over, worded in
both languages — found by running the engine itself on each case, so a new term or a reworded
sentence of the engine fails here rather than reaching a page in English or as a raw value."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.regions import parse_region
from services.dashboard.i18n import LANGUAGES, Translator
from services.dashboard.pairing_batch import choices, pick, within_of
from services.dashboard.pairing_words import (child_row, explanations, passed_over, proposal_id, reason_text,
                                              why_not)
from services.pairing.matching.engine import batch, suggest
from services.pairing.matching.profiles import ChildProfile, PastPair, Snapshot, VolunteerProfile

HOME, NEIGHBOUR, STREET2 = "440105001101", "440105001102", "440105002101"
TRANSLATORS = [Translator(lang) for lang in LANGUAGES]


def kid(child_id: str, region: str = HOME, **fields) -> ChildProfile:
    return ChildProfile(**{"child_id": child_id, "region": region, "sex": "female", "age": 15, **fields})


def mother(volunteer_id: str, region: str = HOME, **fields) -> VolunteerProfile:
    return VolunteerProfile(**{"volunteer_id": volunteer_id, "region": region, "sex": "female",
                               "kind": "mother", "capacity": 3, **fields})


def every_term() -> list[dict]:
    """The reasons of suggestions covering each term and each of its variants."""
    volunteers = [mother("v-home", specialties=("心理咨询",), load=1, proposed=1), mother("v-near", NEIGHBOUR),
                  mother("v-far", STREET2, sex="male")]
    found = []
    for tier in ("red", "orange", "yellow", "blue", None):
        child = kid(f"c-{tier}", tier=tier, needs=("psychological_counselling",))
        history = {(child.child_id, "v-near"): PastPair("p-old", "ended", "moved")}
        ranked = suggest(child, Snapshot("440105000000", (child,), tuple(volunteers), history)).candidates
        found += [r.as_dict() for c in ranked for r in c.reasons]
    blocked = kid("c-blocked", age=9)  # no consent: her suggestions say "once she may be paired"
    ranked = suggest(blocked, Snapshot("440105000000", (blocked,), tuple(volunteers))).candidates
    return found + [r.as_dict() for c in ranked for r in c.reasons]


@pytest.mark.parametrize("t", TRANSLATORS, ids=lambda t: t.lang)
def test_every_term_of_a_score_is_worded(t: Translator) -> None:
    terms = every_term()
    kinds = {(r["kind"], str(sorted(r["facts"].items()))) for r in terms}
    assert {kind for kind, _ in kinds} == {"eligible", "place", "need", "sex", "capacity", "tier", "known_before"}
    for term in terms:
        text = reason_text(term, t)
        assert text != term["reason"] and "pairing." not in text and "{" not in text, (term, text)
    said = {reason_text(term, t) for term in terms}
    if t.lang == "zh-CN":
        assert {"同一村（社区）：下渡社区居委会", "同一乡镇（街道）：赤岗街道", "需求「心理疏导」与其特长「心理咨询」相符",
                "现照护 1 名儿童，可照护 3 名，另有 1 名待审批", "尚未评定风险等级",
                "曾照护过该儿童（上次结对因「迁出」结束）",
                "符合条件：已完成培训、尚有名额的志愿者（待儿童可以结对后）"} <= said
    else:
        assert {"Same town (street): 赤岗街道", "Same district only (海珠区), not the same town (street)",
                "Red tier: most urgent, paired first"} <= said


@pytest.mark.parametrize("t", TRANSLATORS, ids=lambda t: t.lang)
def test_why_a_child_is_blocked_unmatched_or_volunteers_passed_over_is_worded(t: Translator) -> None:
    children = (kid("c-gone", exited=True), kid("c-young", age=9), kid("c-cared", cared_in=("p1",)),
                kid("c-waiting", proposed_in=("p2",)), kid("c-a", tier="red"), kid("c-b", tier="blue"),
                kid("c-far", "440117001001"))
    volunteers = (mother("v-one", capacity=1), mother("v-gone", withdrawn=True), mother("v-new", trained=False),
                  mother("v-full", load=3), mother("v-other", "440117001001", capacity=0))
    result = batch(Snapshot("440105000000", children, volunteers)).as_dict()
    texts = [why for part in ("unmatched", "set_aside") for row in result[part] for why in row["reasons"]]
    assert len(texts) >= 6
    for text in texts:
        worded = why_not(text, t)
        assert worded != text and "{" not in worded, text
    everyone = (*volunteers, mother("v-out", "440117001001"))
    history = {("c-a", "v-one"): PastPair("p3", "ended", "mismatch")}
    passed = suggest(children[4], Snapshot("440105000000", children, everyone, history)).passed_over
    assert len(passed) == 5
    worded = passed_over(passed, t)
    assert len(worded) == 5 and not any("pairing." in text or "{" in text for text in worded)
    if t.lang == "zh-CN":
        assert {"1 名已退出", "2 名已满额", "1 名未完成必修培训（储备库）", "1 名不在该儿童所在区县",
                "1 名已与该儿童结对或提议，或曾因匹配不当结束"} == set(worded)


def test_an_unpaired_child_is_shown_by_name_sex_age_and_places_by_name() -> None:
    t = Translator("zh-CN")
    row = child_row({"child_id": "c1", "region": HOME, "tier": None, "registered_on": "2026-11-27",
                     "name": "周小雨", "sex": "female", "age": 14, "proposed_in": []}, t, date(2026, 12, 7))
    assert row == {"child_id": "c1", "name": "周小雨", "who": "女，14 岁", "village": "下渡社区居委会",
                   "town": "赤岗街道", "tier": None, "registered_on": "2026-11-27", "waited": 10, "proposed": False}
    unnamed = child_row({"child_id": "c1", "region": HOME, "tier": "red", "registered_on": "2026-12-07",
                         "proposed_in": ["p1"]}, t, date(2026, 12, 7))
    assert (unnamed["name"], unnamed["who"], unnamed["tier"], unnamed["proposed"]) == (None, "", "red", True)


def test_an_approvers_card_has_the_proposals_place_and_each_match_explained() -> None:
    t = Translator("en")
    reasons = {"proposals": [{"pair_id": "p1", "matches": [{"score": 48, "reasons": [
        {"points": 40, "kind": "eligible", "facts": {"pairable": True}, "reason": "eligible"},
        {"points": 8, "kind": "sex", "facts": {"sex": "female"}, "reason": "same sex (female)"}]}]}]}
    found = explanations(reasons, [{"pair_id": "p1", "region": HOME}, {"pair_id": "p2", "region": HOME}], t)
    assert found["p1"] == {"where": "下渡社区居委会, 赤岗街道", "matches": [{"score": 48, "terms": [
        {"points": 40, "text": "Eligible: a trained volunteer with a free place, and the child may be paired"},
        {"points": 8, "text": "Same sex (Female)"}]}]}
    assert found["p2"]["matches"] == []  # its reasons not read: the card shows the rest


def test_a_batch_is_proposed_for_a_district_or_street_and_only_kept_proposals_are_read_back() -> None:
    district = parse_region("440105")
    options = choices(district)
    assert options[0] == ("440105000000", "海珠区") and ("440105001000", "赤岗街道") in options
    assert choices(parse_region("440105001000")) == [("440105001000", "赤岗街道")]
    assert choices(parse_region("4401")) == [] and choices(parse_region(HOME)) == []  # a city; a village
    assert within_of(district, "440105001000") == parse_region("440105001000")
    assert within_of(district, "440117") is None and within_of(district, HOME) is None  # not hers; a village
    assert pick("c-1|v-1|one_to_one|93") == {"child_id": "c-1", "volunteer_id": "v-1", "mode": "one_to_one",
                                             "score": 93}
    assert pick("c-1|v-1|family|") == {"child_id": "c-1", "volunteer_id": "v-1", "mode": "family", "score": None}
    for forged in ("c-1|v-1|collective|5", "c 1|v-1|one_to_one|5", "|v-1|one_to_one|5", "c-1|v-1|one_to_one",
                   "c-1|v-1|one_to_one|5|x"):
        assert pick(forged) is None, forged


def test_a_proposal_sent_twice_from_one_page_takes_one_pair_id() -> None:
    first = proposal_id("0123456789abcdef", "c-1", "v-1")
    assert first == proposal_id("0123456789abcdef", "c-1", "v-1") and len(first) == 32
    assert len({first, proposal_id("0123456789abcdef", "c-2", "v-1"), proposal_id("fedcba9876543210", "c-1", "v-1"),
                proposal_id("0123456789abcdef", "c-1", "v-2")}) == 4
    assert proposal_id("", "c-1", "v-1") is None and proposal_id("0123456789ABCDEF", "c-1", "v-1") is None
