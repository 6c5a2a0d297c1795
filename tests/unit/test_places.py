"""Where an imported child lives: a village code, a county code with the town and village by name
(found among the county's real names, whatever committee words the list adds or leaves out), or a
county code alone; and the command that sets a county child's village later (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.intake.child_file import ChildPlaceCompleted
from contracts.intake.registration import ChildRegistered
from contracts.regions import parse_region
from services.importing.columns import CHILD_COLUMNS, match_fields
from services.importing.places import PlaceProblem, place_of
from services.importing.report import default_path
from services.intake.child_file import decide_complete_place
from services.intake.domain import ChildState, evolve_child
from services.shared.errors import InvalidCommand, RuleViolated

XIADU = "440105001101"  # 下渡社区居委会, 赤岗街道, 海珠区


@pytest.mark.parametrize(("town", "village"), [
    ("赤岗街道", "下渡社区居委会"), (" 赤岗街道 ", "下渡社区"), ("赤岗街道办事处", "下渡"), ("赤岗", "下渡社区居民委员会"),
    ("赤岗街", "\u3000下渡社区\u3000"), (None, "下渡社区"), ("", "下渡"),
])
def test_a_village_is_found_by_its_name_within_the_county(town, village) -> None:
    assert place_of("440105", town, village) == XIADU


@pytest.mark.parametrize(("village", "code"), [
    ("玄武村", "510623100208"), ("玄武村村民委员会", "510623100208"), ("玄武村委会", "510623100208"),
    ("玄武社区", "510623100013"), ("玄武居委会", "510623100013"),
])
def test_the_kind_of_place_tells_a_village_from_a_community_of_the_same_name(village, code) -> None:
    assert place_of("510623", "凯江镇", village) == code


def test_a_village_code_stands_and_a_county_alone_is_the_county() -> None:
    assert place_of(XIADU, None, None) == XIADU
    assert place_of("440105", None, None) == place_of("440105000000", "", "") == "440105000000"


def test_an_ambiguous_name_names_the_county_and_the_candidates() -> None:
    with pytest.raises(PlaceProblem) as raised:
        place_of("510623", "凯江镇", "玄武")
    assert raised.value.field == "village"
    assert str(raised.value) == ("'玄武' is ambiguous in 凯江镇 (510623100), 中江县 (510623): it may be "
                                 "玄武社区居民委员会 (510623100013)、玄武村村民委员会 (510623100208)")
    with pytest.raises(PlaceProblem, match=r"in 涟水县 \(320826\): it may be 尹荡村委会 \(陈师街道 320826003211\)、"
                                           r"尹荡村委会 \(高沟镇 320826101231\)"):
        place_of("320826", None, "尹荡村")  # no town: looked for in the whole county


@pytest.mark.parametrize(("code", "town", "village", "field", "reason"), [
    ("440105", "赤岗街道", "不存在社区", "village", "no village/community named '不存在社区' in 赤岗街道 (440105001), 海珠区 (440105)"),
    ("440105", "不存在街道", "下渡社区", "town", "no street/town named '不存在街道' in 海珠区 (440105)"),
    ("440105", "赤岗街道", None, "village", "is empty, but 乡镇 names '赤岗街道'"),
    ("440105001", None, None, "region", "is a street code; expected a community/village code"),
    ("440100", None, None, "region", "is a city code"),
    ("440105999", None, None, "region", "is not a known division code"),
    ("abc", None, None, "region", "is not 'CN' or a division code"),
])
def test_places_that_cannot_be_found_say_why(code, town, village, field, reason) -> None:
    with pytest.raises(PlaceProblem) as raised:
        place_of(code, town, village)
    assert raised.value.field == field and reason in str(raised.value)


def test_town_and_village_columns_are_mapped_beside_the_code() -> None:
    headers = ["姓名", "区划代码", "乡镇（街道）", "村（社区）", "村(社区)代码"]
    assert match_fields(headers, CHILD_COLUMNS) == {"name": 0, "region": 1, "town": 2, "village": 3}
    for town, village in [("乡镇", "村"), ("街道", "社区"), ("乡镇/街道", "村/社区"), ("所在乡镇", "村居")]:
        assert match_fields([town, village], CHILD_COLUMNS) == {"town": 0, "village": 1}
    assert match_fields(["村(社区)代码"], CHILD_COLUMNS) == {"region": 0}


def test_lists_with_the_same_stem_have_reports_of_their_own() -> None:
    assert default_path(Path("/l/bad.csv")) != default_path(Path("/l/bad.xlsx"))
    assert default_path(Path("/l/bad.csv")) == Path("/l/bad.csv.import-report.csv")


def at_county(county: str = "440105000000") -> ChildState:
    registered = ChildRegistered.model_construct(child_id="c1", region=county, birth_date=None)
    return evolve_child(registered, ChildState())


def test_a_county_childs_village_is_completed_within_her_county() -> None:
    state = at_county()
    [event] = decide_complete_place(state, "c1", parse_region(XIADU))
    assert event == ChildPlaceCompleted(child_id="c1", region=XIADU, from_region="440105000000")
    assert evolve_child(event, state).region == XIADU


def test_a_village_outside_her_county_or_a_second_completion_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="the county the child was registered at"):
        decide_complete_place(at_county(), "c1", parse_region("440106001001"))
    placed = evolve_child(ChildPlaceCompleted(child_id="c1", region=XIADU, from_region="440105000000"), at_county())
    with pytest.raises(RuleViolated, match="transfer_child"):
        decide_complete_place(placed, "c1", parse_region("440105001102"))
