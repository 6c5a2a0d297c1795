"""A form's place, chosen by name: the communities and villages under the page's region, grouped by
their town or street, for an office of a county or below (a few hundred at most); above that the
list would be tens of thousands long and the form keeps its code field."""

from __future__ import annotations

from contracts.envelope import FederationLevel
from contracts.regions import communities, region_name
from services.dashboard.pairing_words import village_and_town
from services.dashboard.view import region_or_none

MOST = 1000  # places in one list
TOO_WIDE = (FederationLevel.national, FederationLevel.province, FederationLevel.city)


def place_choices(code: str) -> list[tuple[str, list[tuple[str, str]]]] | None:
    """[(town's name, [(community's code, its name)])] under the region `code`, or None; first, for
    an office above a community, ("", [(code, its own name)]): a child may be registered at her
    county, her village completed later (the list of places to complete)."""
    region = region_or_none(code)
    if region is None or region.level in TOO_WIDE:
        return None
    villages = communities(region)
    if not villages or len(villages) > MOST:
        return None
    groups: dict[str, list[tuple[str, str]]] = {}
    if region.level is not FederationLevel.community:
        groups[""] = [(code, region_name(region))]
    for village in villages:
        groups.setdefault(village_and_town(village.code)[1], []).append((village.code, region_name(village)))
    return list(groups.items())
