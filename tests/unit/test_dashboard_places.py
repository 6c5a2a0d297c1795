"""A form's place is chosen by name among the communities under an office of a county or below,
grouped by town; above a county there would be tens of thousands, and the code field stays."""

from services.dashboard.places import place_choices


def test_a_districts_communities_are_offered_by_town_and_a_provinces_are_not() -> None:
    towns = place_choices("440105")
    assert towns[0] == ("", [("440105", "海珠区")])  # the district itself: her village completed later
    assert towns[1][0] == "赤岗街道" and ("440105001101", "下渡社区居委会") in towns[1][1]
    assert sum(len(villages) for _, villages in towns) > 100
    assert place_choices("440105001101") == [("赤岗街道", [("440105001101", "下渡社区居委会")])]
    assert place_choices("44") is None and place_choices("CN") is None and place_choices("no") is None
