"""Division codes and the subject scheme built on them: a subscriber's subtree is one wildcard."""

from __future__ import annotations

import pytest

from contracts.envelope import FederationLevel as L
from contracts.regions import (InvalidRegion, UnknownRegion, communities, known_region, parse_region,
                              region_name, subregions)
from contracts.regions.report_places import REPORT_TOWNS, report_communities
from contracts.subjects import event_subject, history_filter, subtree_filter

HAIZHU_COMMUNITY = "440105001101"  # 下渡社区, 赤岗街道, 海珠区, 广州市


def matches(subject_filter: str, subject: str) -> bool:
    """NATS matching: '*' is one token, '>' one or more trailing tokens."""
    wanted, tokens = subject_filter.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > index
        if index >= len(tokens) or token not in ("*", tokens[index]):
            return False
    return len(tokens) == len(wanted)


@pytest.mark.parametrize(("text", "code", "level"), [
    ("CN", "CN", L.national), ("cn", "CN", L.national), ("000000000000", "CN", L.national),
    ("44", "440000000000", L.province), (" 44 ", "440000000000", L.province),
    ("440000", "440000000000", L.province), ("440000000000", "440000000000", L.province),
    ("4401", "440100000000", L.city), ("440100", "440100000000", L.city),
    ("440100000000", "440100000000", L.city),
    ("440105", "440105000000", L.district), ("440105000000", "440105000000", L.district),
    ("440117001", "440117001000", L.street), ("440117001000", "440117001000", L.street),
    (HAIZHU_COMMUNITY, HAIZHU_COMMUNITY, L.community),
])
def test_parse_region_pads_to_twelve_digits_and_finds_the_level(text, code, level) -> None:
    region = parse_region(text)
    assert (region.code, region.level) == (code, level)


@pytest.mark.parametrize("text", ["", "4", "441", "44010", "4401050", "4401a5", "CHN", "4401050010011"])
def test_parse_region_refuses_malformed_codes(text) -> None:
    with pytest.raises(InvalidRegion, match="is not 'CN' or a division code of 2, 4, 6, 9 or 12 digits"):
        parse_region(text)


def test_a_twelve_digit_code_needs_a_province_part() -> None:
    with pytest.raises(InvalidRegion, match="no province part"):
        parse_region("001234000000")


def test_short_code_without_a_province_part_is_refused() -> None:
    with pytest.raises(InvalidRegion):
        parse_region("00")


def test_nine_digit_code_with_a_zero_street_part_is_its_district() -> None:
    assert parse_region("440105000") == parse_region("440105000000")


def test_ancestors_run_from_the_nation_down_to_the_region_itself() -> None:
    chain = parse_region("440117001001").ancestors()
    assert [(r.code, r.level) for r in chain] == [
        ("CN", L.national), ("440000000000", L.province), ("440100000000", L.city),
        ("440117000000", L.district), ("440117001000", L.street), ("440117001001", L.community),
    ]
    assert parse_region("4401").ancestors()[-1] == parse_region("440100")
    assert parse_region("CN").ancestors() == [parse_region("CN")]


@pytest.mark.parametrize(("outer", "inner", "expected"), [
    ("CN", HAIZHU_COMMUNITY, True), ("44", HAIZHU_COMMUNITY, True), ("4401", "440117", True),
    ("440105", HAIZHU_COMMUNITY, True), (HAIZHU_COMMUNITY, HAIZHU_COMMUNITY, True),
    ("51", HAIZHU_COMMUNITY, False), ("440105", "440117001001", False),
    (HAIZHU_COMMUNITY, "440105", False), ("440105", "CN", False),
])
def test_contains(outer, inner, expected) -> None:
    assert parse_region(outer).contains(parse_region(inner)) is expected


def test_known_region_accepts_real_codes_of_every_level() -> None:
    assert known_region("440305").level is L.district  # 南山区
    assert known_region("510623", L.district).code == "510623000000"  # 中江县
    assert known_region("440117104", L.street).code == "440117104000"  # 良口镇
    assert known_region("110101001001", L.community).level is L.community  # 多福巷社区, 东城区, 北京
    assert known_region(HAIZHU_COMMUNITY, L.community).level is L.community
    assert known_region("CN", L.national).level is L.national


@pytest.mark.parametrize(("code", "name"), [
    ("CN", "全国"), ("44", "广东省"), ("4401", "广州市"), ("1101", "北京市市辖区"), ("440117", "从化区"),
    ("440117104", "良口镇"), ("440117104001", "良口社区居委会"), ("110101001001", "多福巷社区居委会"),
    ("441900003", "东城街道"),  # 东莞市: towns directly under the city
    ("650000000000", "新疆维吾尔自治区"), ("659011000000", "新星市"),
])
def test_real_names_at_every_level(code, name) -> None:
    assert region_name(parse_region(code)) == name == parse_region(code).name


def test_an_unknown_code_is_named_by_its_code_and_refused_clearly() -> None:
    assert region_name(parse_region("440117104999")) == "440117104999"
    for code in ("999999", "4499", "440199", "440117999", "440117104999"):
        with pytest.raises(UnknownRegion, match=f"region '{code}' is not a known division code"):
            known_region(code)


def test_subregions_are_the_real_divisions_one_level_down() -> None:
    assert len(subregions(parse_region("CN"))) == 31  # provinces, autonomous regions, municipalities
    assert [r.code for r in subregions(parse_region("4401"))][:2] == ["440103000000", "440104000000"]
    conghua = subregions(parse_region("440117"))
    assert "440117104000" in [r.code for r in conghua] and {r.level for r in conghua} == {L.street}
    liangkou = subregions(parse_region("440117104"))
    assert [r.code for r in liangkou][:3] == ["440117104001", "440117104002", "440117104003"]
    assert {r.level for r in liangkou} == {L.community} and len(liangkou) == 33
    assert subregions(parse_region("440117104001")) == []
    assert subregions(parse_region("4419")) == []  # 东莞市 has no counties: its towns are reached by code


def test_communities_of_given_regions() -> None:
    liangkou = communities("440117104")
    assert liangkou == subregions(parse_region("440117104"))
    both = communities("440117104", parse_region("440105"))
    assert len(both) == 33 + 267 and both == sorted(both, key=lambda r: r.code)
    assert communities("440117104001") == [parse_region("440117104001")]
    with pytest.raises(TypeError):
        communities()


def test_the_report_towns_are_real_and_their_communities_span_three_provinces() -> None:
    assert {code: region_name(parse_region(code)) for code in REPORT_TOWNS} == REPORT_TOWNS
    places = report_communities()
    assert {p.code[:2] for p in places} == {"32", "44", "51"} and len(places) > 500
    assert all(known_region(p.code, L.community) for p in places[:50])


def test_known_region_refuses_unknown_codes() -> None:
    with pytest.raises(InvalidRegion, match=r"region '449999' is not a known division code"):
        known_region("449999")
    with pytest.raises(InvalidRegion, match="not a known division code"):
        known_region("440105999999")


def test_known_region_refuses_a_code_of_the_wrong_level() -> None:
    with pytest.raises(InvalidRegion, match=r"region '440105' is a district code, expected a community code"):
        known_region("440105", L.community)


def test_event_subject_spells_the_region_path_and_pads_missing_levels() -> None:
    assert event_subject(parse_region(HAIZHU_COMMUNITY), "child", "c1") == (
        "aixin.evt.44.4401.440105.440105001.440105001101.child.c1")
    assert event_subject(parse_region("440105"), "pair", "p1") == "aixin.evt.44.4401.440105._._.pair.p1"


def test_subtree_filters() -> None:
    assert subtree_filter("CN") == "aixin.evt.>"
    assert subtree_filter("44") == "aixin.evt.44.>"
    assert subtree_filter("440100") == "aixin.evt.44.4401.>"
    assert subtree_filter("440105001") == "aixin.evt.44.4401.440105.440105001.>"


def test_a_province_wildcard_matches_its_events_and_no_others() -> None:
    in_guangzhou = event_subject(parse_region(HAIZHU_COMMUNITY), "child", "c1")
    at_province = event_subject(parse_region("44"), "pair", "p1")
    in_sichuan = event_subject(parse_region("510623"), "child", "c2")
    guangdong = subtree_filter("44")
    assert matches(guangdong, in_guangzhou) and matches(guangdong, at_province)
    assert not matches(guangdong, in_sichuan)
    assert matches(subtree_filter("4401"), in_guangzhou)
    assert not matches(subtree_filter("4401"), at_province)  # a city does not see its province's events
    assert all(matches(subtree_filter("CN"), s) for s in (in_guangzhou, at_province, in_sichuan))


def test_history_filter_finds_one_aggregate_in_any_region() -> None:
    before = event_subject(parse_region(HAIZHU_COMMUNITY), "child", "c1")
    after_moving = event_subject(parse_region("510623"), "child", "c1")
    assert history_filter("child", "c1") == "aixin.evt.*.*.*.*.*.child.c1"
    assert matches(history_filter("child", "c1"), before)
    assert matches(history_filter("child", "c1"), after_moving)
    assert not matches(history_filter("child", "c1"), event_subject(parse_region("44"), "child", "c10"))
    assert not matches(history_filter("child", "c1"), event_subject(parse_region("44"), "wish", "c1"))
