"""The constrained text and number types of the command contracts (contracts.text): realistic values
pass as they are, and what could break a name, a log line or the JSON on the wire is refused."""

from __future__ import annotations

import math

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.activity.wishes import SubmitWish
from contracts.activity.giving import Yuan
from contracts.intake.registration import RecruitVolunteer, RegisterChild
from contracts.text import Label, Name, NoteText, Specialties, Text

ACTOR = {"operator_id": "national", "level": "national", "region": "CN"}
NAMES = ["李小花", "欧阳娜娜", "王芳", "Li Xiaoming", "买买提·艾力", "Zhang  Wei", "a", "张" * 50]
BAD_NAMES = {"blank": "", "spaces": "   ", "ideographic space": "\u3000", "NUL": "李\x00花",
             "newline": "李\n花", "ESC sequence": "\x1b[31m李小花\x1b[0m", "bidi override": "a\u202eb",
             "zero-width space": "李\u200b花", "lone surrogate": "李\ud800", "100,000 chars": "x" * 100_000,
             "51 chars": "张" * 51}


def refused(adapter: TypeAdapter, value) -> str:
    with pytest.raises(ValidationError) as error:
        adapter.validate_python(value)
    return str(error.value)


@pytest.mark.parametrize("value", NAMES)
def test_a_realistic_name_passes_unchanged(value: str) -> None:
    assert TypeAdapter(Name).validate_python(value) == value


def test_a_name_is_trimmed_of_surrounding_whitespace_ideographic_too() -> None:
    assert TypeAdapter(Name).validate_python("\u3000 欧阳娜娜 ") == "欧阳娜娜"


@pytest.mark.parametrize("value", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_a_name_refuses(value: str) -> None:
    refused(TypeAdapter(Name), value)


def test_the_refusal_says_which_character_and_where() -> None:
    assert "U+001B at character 1" in refused(TypeAdapter(Name), "李\x1b[31m")
    assert "lone surrogate U+D800" in refused(TypeAdapter(Label), "ok\ud800")


@pytest.mark.parametrize("value", ["", "孩子很开朗。\n奶奶身体不好，\t需要多打电话。", "line\r\nline", "🙂👨‍👩‍👧", "x" * 2000])
def test_free_text_keeps_lines_tabs_and_emoji(value: str) -> None:
    assert TypeAdapter(Text).validate_python(value) == value


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[2J", "a\rb", "a\u202eb", "a\ud800", "x" * 2001, "x" * 100_000])
def test_free_text_refuses(value: str) -> None:
    refused(TypeAdapter(Text), value)


def test_a_required_note_may_not_be_empty() -> None:
    refused(TypeAdapter(NoteText), "")


def test_specialties_are_bounded_in_number_and_length() -> None:
    adapter = TypeAdapter(Specialties)
    assert adapter.validate_python(["阅读", "心理辅导", "sports"] * 6) == ["阅读", "心理辅导", "sports"] * 6
    refused(adapter, ["阅读"] * 21)
    refused(adapter, ["x" * 51])
    refused(adapter, ["\u3000"])


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "NaN", "Infinity"])
def test_numbers_refuse_nan_and_infinity(value) -> None:
    with pytest.raises(ValidationError):
        SubmitWish(actor=ACTOR, child_id="c1", item="书包", estimated_cost_yuan=value)
    refused(TypeAdapter(Yuan), value)


def test_the_commands_use_the_types() -> None:
    child = {"actor": ACTOR, "region": "440105001101", "sex": "male", "birth_date": "2012-02-02",
             "category": "left_behind"}
    assert RegisterChild(**child, name="欧阳娜娜", guardian={"relation": "parent", "name": "Li Xiaoming"}).name == "欧阳娜娜"
    for bad in BAD_NAMES.values():
        with pytest.raises(ValidationError):
            RegisterChild(**child, name=bad)
        with pytest.raises(ValidationError):
            RegisterChild(**child, name="李小花", guardian={"relation": "parent", "name": bad})
    with pytest.raises(ValidationError):
        RecruitVolunteer(actor=ACTOR, region="440105001102", name="王芳", sex="female", kind="mother",
                         specialties=["阅读"] * 21)
    with pytest.raises(ValidationError):
        RegisterChild(**{**child, "actor": {**ACTOR, "region": "CN\x00"}}, name="李小花")
