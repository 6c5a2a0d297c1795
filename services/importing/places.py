"""Where a row's child lives: a village/community code (12 digits); or a district/county code with
the town (乡镇/街道) and the village (村/社区) by name, found within that county among the real
division names; or a county code alone, where the child is registered until her village is known.

Names are compared without whitespace and without the committee words lists add or leave out
(下渡社区居委会, 下渡社区 and 下渡 are one community; 太平村民委员会, 太平村委会 and 太平村 one village;
赤岗街道, 赤岗街道办事处 and 赤岗 one street). A name two places share is ambiguous, and the problem
names them; a village named without its town is looked for in the whole county.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from contracts.envelope import FederationLevel
from contracts.regions import InvalidRegion, Region, divisions, known_region, region_name

OFFICE = re.compile(r"(办事处|人民政府|政府)$")
TOWN_KIND = re.compile(r"(街道|民族乡|镇|乡|苏木|街)$")
COMMITTEE = re.compile(r"(社区居民委员会|社区居委会|村民委员会|居民委员会|村委会|居委会|委员会|村委|居委)$")
VILLAGE_KIND = re.compile(r"(社区|村)$")
SPACE = re.compile(r"\s+")
SHOWN_CANDIDATES = 8
CHILD_LEVELS = (FederationLevel.community, FederationLevel.district)


class PlaceProblem(ValueError):
    """A row's place that cannot be found: `field` is the column to blame (region, town, village)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def _bare(text: str, kind: re.Pattern) -> str:
    match = kind.search(text)
    return text[:match.start()] if match and match.start() > 0 else text


def village_names(name: str) -> tuple[str, str, str]:
    """The name as written, with its kind (下渡社区, 太平村), and bare (下渡, 太平): whitespace and
    committee words (居委会, 村民委员会, …) removed."""
    full = SPACE.sub("", name)
    kind = full
    if match := COMMITTEE.search(full):
        stem, word = full[:match.start()], match.group(1)
        if word.startswith("村"):
            kind = stem if stem.endswith("村") else stem + "村"  # 太平村委会, 玄武村村民委员会
        elif word == "委员会":
            kind = stem
        else:
            kind = stem if stem.endswith("社区") else stem + "社区"  # 下渡社区居委会, 下渡居委会
    return full, kind, _bare(kind, VILLAGE_KIND)


def town_names(name: str) -> tuple[str, str, str]:
    full = SPACE.sub("", name)
    kind = OFFICE.sub("", full) or full
    return full, kind, _bare(kind, TOWN_KIND)


@dataclass(frozen=True)
class _Index:
    """Places (towns, or villages) by their names as written, with their kind, and bare."""

    full: dict[str, list[tuple[str, str]]]
    kind: dict[str, list[tuple[str, str]]]
    bare: dict[str, list[tuple[str, str]]]

    @classmethod
    def of(cls, places: list[tuple[str, str]], names) -> _Index:
        index = cls(defaultdict(list), defaultdict(list), defaultdict(list))
        for code, name in places:
            for table, key in zip((index.full, index.kind, index.bare), names(name)):
                table[key].append((code, name))
        return cls(dict(index.full), dict(index.kind), dict(index.bare))

    def find(self, name: str, names) -> list[tuple[str, str]]:
        """The (code, name) of the places `name` may mean, the most exact reading first: one,
        several (ambiguous) or none."""
        full, kind, bare = names(name)
        return (self.full.get(full) or self.kind.get(kind) or self.bare.get(kind) or self.bare.get(bare)
                or [])


@dataclass(frozen=True)
class County:
    region: Region
    towns: _Index
    villages: dict[str, _Index]  # town code (9 digits) -> its villages
    everywhere: _Index  # every village of the county, for a row that names no town

    @property
    def label(self) -> str:
        return f"{region_name(self.region)} ({self.region.prefix})"


@lru_cache(maxsize=256)
def county(code: str) -> County:
    region = known_region(code, FederationLevel.district)
    towns = divisions.children_of(region.code, 6)
    names = {town: divisions.name_of(town) or town for town in towns}
    villages = {town: [(v, divisions.name_of(v) or v) for v in divisions.children_of(town, 9)] for town in towns}
    return County(region, _Index.of([(t[:9], n) for t, n in names.items()], town_names),
                  {t[:9]: _Index.of(vs, village_names) for t, vs in villages.items()},
                  _Index.of([v for vs in villages.values() for v in vs], village_names))


def child_region(code: str) -> Region:
    """The row's 区划代码: a known village/community or district/county code."""
    try:
        region = known_region(code)
    except InvalidRegion as error:
        raise PlaceProblem("region", str(error)) from None
    if region.level not in CHILD_LEVELS:
        raise PlaceProblem("region", f"{code!r} is a {region.level} code; expected a community/village code "
                                     f"(12 digits), or a district/county code (6 digits) with 乡镇 and 村/社区 by name")
    return region


def place_of(code: str, town: str | None, village: str | None) -> str:
    """The 12-digit code the child is registered at; raises PlaceProblem."""
    region = child_region(code)
    if region.level is FederationLevel.community:
        return region.code
    if not town and not village:
        return region.code  # the county: her village is completed later
    where = county(region.code)
    if not village:
        raise PlaceProblem("village", f"is empty, but 乡镇 names {town!r}: name the village or community too, "
                                      f"or leave both empty to register the child at {where.label}")
    if not town:
        return _one("village", village, where.everywhere.find(village, village_names), where.label)
    town_code = _one("town", town, where.towns.find(town, town_names), where.label)
    within = f"{divisions.name_of(town_code.ljust(12, '0'))} ({town_code}), {where.label}"
    return _one("village", village, where.villages[town_code].find(village, village_names), within)


def _one(field: str, name: str, found: list[tuple[str, str]], within: str) -> str:
    what = "street/town" if field == "town" else "village/community"
    if not found:
        raise PlaceProblem(field, f"no {what} named {name!r} in {within}")
    if len(found) > 1:
        towns = {code[:9] for code, _ in found}  # a county-wide search: say which town each is in
        shown = "、".join(f"{full} ({_town_of(code) + ' ' if len(towns) > 1 else ''}{code})"
                         for code, full in found[:SHOWN_CANDIDATES])
        more = f" and {len(found) - SHOWN_CANDIDATES} more" if len(found) > SHOWN_CANDIDATES else ""
        raise PlaceProblem(field, f"{name!r} is ambiguous in {within}: it may be {shown}{more}")
    return found[0][0]


def _town_of(code: str) -> str:
    return divisions.name_of(code[:9] + "000") or code[:9]
