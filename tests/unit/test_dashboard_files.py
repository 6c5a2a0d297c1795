"""The files' pure parts: every event a file can hold has a sentence in both languages, every value
of every closed list its events carry has a word, sentences read as people write them (names, words,
places by name; nothing sealed, no gap where a value is absent), a file folds into its sections, a
follow-up's body holds what was typed and ticked, and a date refused for coming before the pair was
formed is told with the day it must follow."""

from __future__ import annotations

import enum
import string

import pytest

from contracts.registry import event_types
from services.dashboard.file_view import child_file, pairs_of, timeline
from services.dashboard.followup import ACTIONS, body
from services.dashboard.forms import field_message
from services.dashboard.i18n import Translator, catalog
from services.dashboard.wording import _enum_in, sentence, tidy

ZH, EN = Translator("zh-CN"), Translator("en")
# The aggregates a file loads: a person's own and her pairs, a pair and its care, a wish, a concern.
FILED = ("child", "pairing_child", "volunteer", "pairing_volunteer", "pair", "pair_care", "wish", "concern",
         "nomination")
FILE_EVENTS = {name: cls for name, cls in event_types().items() if cls.aggregate_type in FILED}
PEOPLE = {"children": {"c-1": "李小花"}, "volunteers": {"v-1": "吴丽"}}


def test_every_event_of_a_file_has_a_sentence_with_fields_it_has() -> None:
    for lang in ("zh-CN", "en"):
        for name, cls in FILE_EVENTS.items():
            said = catalog(lang).get(f"file.says.{name}")
            assert said, f"{lang}: no sentence for {name}"
            used = {field for _, field, _, _ in string.Formatter().parse(said) if field}
            extra = used - set(cls.model_fields) - {"day", "child", "volunteers"}
            assert not extra, f"{lang} {name}: {extra} are no fields of the event"


def test_every_value_of_every_closed_list_in_a_file_has_a_word() -> None:
    enums = {found for cls in FILE_EVENTS.values() for info in cls.model_fields.values()
             if (found := _enum_in(info.annotation))}
    for found in enums | {action.choices[f] for action in ACTIONS.values() for f in action.choices or {}}:
        for member in found:
            for lang in ("zh-CN", "en"):
                assert catalog(lang).get(f"enum.{found.__name__}.{member.value}"), f"{lang}: {found.__name__}.{member}"
    assert all(issubclass(e, enum.Enum) for e in enums)


def visit(**data) -> dict:
    return {"event_type": "VisitLogged", "aggregate_type": "pair_care", "aggregate_id": "P-1",
            "occurred_at": "2026-05-03T02:00:00+00:00", "actor": {"operator_id": "haizhu", "role": "caseworker"},
            "data": {"pair_id": "P-1", "visit_id": "x", "kind": "phone_call", "visited_on": "2026-05-03",
                     "duration_minutes": 20, "child_ids": ["c-1"], **data}}


def test_a_visit_reads_as_a_caseworker_writes_it() -> None:
    people = {**PEOPLE, "pair_volunteers": ["v-1"]}
    assert sentence(visit(), ZH, people) == "2026-05-03 吴丽 电话联系 20 分钟"
    assert sentence(visit(), EN, people) == "2026-05-03 吴丽: phone call, 20 min"
    # Without names (a viewer): what she is, never an id.
    assert sentence(visit(), ZH, {"pair_volunteers": ["v-1"]}) == "2026-05-03 志愿者 电话联系 20 分钟"


def test_an_absent_value_leaves_no_gap_and_a_place_is_named() -> None:
    registered = {"event_type": "ChildRegistered", "occurred_at": "2026-05-01T01:00:00+00:00", "data": {
        "child_id": "c-1", "region": "440105001101", "sex": "female", "birth_date": "2012-03-08",
        "category": "left_behind", "subtype": None, "personal": "<sealed>"}}
    said = sentence(registered, ZH, PEOPLE)
    assert said.startswith("2026-05-01 登记入册：李小花，女，留守儿童，海珠区 赤岗街道")
    assert "440105001101" not in said and "<sealed>" not in said and " ，" not in said
    assert tidy("a ( ) b , c") == "a b, c"


def test_a_file_folds_into_its_sections() -> None:
    def event(event_type: str, aggregate: str, the_id: str, **data) -> dict:
        return {"event_type": event_type, "aggregate_type": aggregate, "aggregate_id": the_id,
                "occurred_at": "2026-05-01T01:00:00+00:00", "actor": {"operator_id": "nation"}, "data": data}
    answer = {"personal": True, **PEOPLE, "events": [
        event("ChildRegistered", "child", "c-1", child_id="c-1", region="440105001101", sex="female",
              birth_date="2012-03-08", category="left_behind", personal={"name": "李小花", "school": "一小"},
              guardian_relation="grandparent", guardian={"name": "李奶奶", "phone": "13800000000"}),
        event("ChildRiskAssessed", "child", "c-1", tier="red", reason="独自在家"),
        event("ChildRiskAssessed", "child", "c-1", tier="yellow", reason="好转"),
        event("GuardianConsentGiven", "child", "c-1", relation="grandparent", given_by="李奶奶",
              scopes=["pairing"], given_on="2026-05-02"),
        event("PairFormed", "pair", "P-1", mode="one_to_one", region="440105001101", child_ids=["c-1"],
              volunteer_ids=["v-1"], formed_on="2026-05-02"),
        visit(),
        event("WishSubmitted", "wish", "w-1", child_id="c-1", item="书包", category="study", estimated_cost_yuan=80),
        event("WishFulfilled", "wish", "w-1", child_id="c-1"),
        event("ConcernRaised", "concern", "k-1", child_id="c-1", kind="safety", raised_on="2026-05-04", note="x")]}
    facts = child_file(answer, ZH)
    assert facts["identity"]["name"] == "李小花" and facts["identity"]["guardian_name"] == "李奶奶"
    assert [t["tier"] for t in facts["tiers"]] == ["yellow", "red"]  # the current first
    assert facts["consent"][0] == ("结对", {"given": True, "day": "2026-05-02", "by": "李奶奶", "relation": "祖父母"})
    [pair] = facts["pairs"]
    assert pair.status == "active" and pair.facts["volunteers"] == [("v-1", "吴丽")] and pair.facts["care"] == 1
    assert [(w.status, w.facts["item"]) for w in facts["wishes"]] == [("fulfilled", "书包")]
    assert [(c.status, c.facts["kind"]) for c in facts["concerns"]] == [("open", "安全问题")]
    assert [p.id for p in pairs_of(answer, ZH)] == ["P-1"]
    rows = timeline(answer, ZH)
    assert rows[0]["event_type"] == "ConcernRaised" and rows[-1]["event_type"] == "ChildRegistered"  # newest first
    assert rows[-1]["role"] == ""  # an actor recorded without a role


def test_a_sealed_value_is_no_fact_for_a_role_that_may_not_read_it() -> None:
    answer = {"personal": False, "events": [
        {"event_type": "ChildRiskAssessed", "aggregate_type": "child", "aggregate_id": "c-1",
         "occurred_at": "2026-05-01T01:00:00+00:00", "data": {"tier": "red", "reason": "<sealed>"}}]}
    assert child_file(answer, ZH)["tiers"][0]["reason"] is None
    assert timeline(answer, ZH)[0]["texts"] == []


def test_a_follow_up_sends_what_was_typed_and_ticked_with_the_id_the_page_filled_in() -> None:
    sent = body(ACTIONS["survey"], "c-1", {"surveyed_on": " 2026-05-01 ", "notes": "  "},
                {"needs": ["family_affection", "micro_wishes"]})
    assert sent == {"child_id": "c-1", "surveyed_on": "2026-05-01", "needs": ["family_affection", "micro_wishes"]}
    assert body(ACTIONS["close"], "k-1", {"outcome": "resolved"}, {}) == {"concern_id": "k-1", "outcome": "resolved"}


@pytest.mark.parametrize(("t", "expected"), [(ZH, "日期早于结对成立的日期：请填写 2026-05-02 或之后的日期。"),
                                             (EN, "The date is before the pair was formed: give 2026-05-02 or a later day.")])
def test_a_date_before_the_pair_was_formed_says_the_day_it_must_follow(t, expected) -> None:
    msg = "2026-05-01 is before pair P-1 was formed (2026-05-02); care is logged for a pair from the day it was formed"
    assert field_message(msg, t, "visited_on") == expected
