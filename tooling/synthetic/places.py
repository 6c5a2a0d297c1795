"""Synthetic lists as district federations send them: a third of the rows give the village's code,
a third the county's code with the town and the village by name (written as lists write them: with
or without 居委会/村委会, 办事处, surrounding spaces), a third the county's code alone. Besides the bad rows
of `synthetic_children`, some rows name a village that does not exist, one that is ambiguous, or a
town without its village. `expected` gives each good row's line the region it must be registered at."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from contracts.regions import divisions
from tooling.synthetic.children import SyntheticList, synthetic_children

TOWN, VILLAGE = "乡镇（街道）", "村（社区）"
AMBIGUOUS = ("510623", "凯江镇", "玄武")  # 玄武社区居民委员会 and 玄武村村民委员会, both of 凯江镇, 中江县
NAME_KINDS = {"unknown_village": VILLAGE, "ambiguous_village": VILLAGE, "village_missing": VILLAGE}


@dataclass
class MixedList(SyntheticList):
    expected: dict[int, str] = field(default_factory=dict)  # good row's line -> 12-digit region


def village_as_written(name: str, rng: random.Random) -> str:
    short = re.sub(r"(居民委员会|居委会)$", "", re.sub(r"村?(村民委员会|村委会)$", "村", name))
    return rng.choice([name, short, f" {short} ", f"{short}\u3000"])


def town_as_written(name: str, rng: random.Random) -> str:
    office = "办事处" if name.endswith("街道") else "人民政府"
    return rng.choice([name, f"{name}{office}", f" {name}"])


def synthetic_mixed_children(count: int, bad_share: float = 0.01, seed: int = 1, name_bad_share: float = 0.01,
                             no_id_share: float = 0.05) -> MixedList:
    base = synthetic_children(count, bad_share, seed, no_id_share)
    header = [*base.header[:base.header.index("区划代码") + 1], TOWN, VILLAGE, *base.header[base.header.index("区划代码") + 1:]]
    listing = MixedList(header, [], dict(base.bad))
    rng = random.Random(seed * 31 + 7)
    for line, row in enumerate(base.rows, 2):
        row = {**row, TOWN: "", VILLAGE: ""}
        code = row["区划代码"]
        mode = 0 if line in base.bad else rng.randrange(3)
        if mode == 1:
            row.update({"区划代码": code[:6], TOWN: town_as_written(divisions.name_of(code[:9] + "000"), rng),
                        VILLAGE: village_as_written(divisions.name_of(code), rng)})
        elif mode == 2:
            row["区划代码"], code = code[:6], code[:6].ljust(12, "0")
        if mode and rng.random() < name_bad_share:
            kind = list(NAME_KINDS)[len(listing.bad) % len(NAME_KINDS)]
            row.update(_spoiled(kind, row))
            listing.bad[line] = (kind, NAME_KINDS[kind])
        elif line not in listing.bad:
            listing.expected[line] = code
        listing.rows.append(row)
    return listing


def _spoiled(kind: str, row: dict[str, str]) -> dict[str, str]:
    if kind == "ambiguous_village":
        county, town, village = AMBIGUOUS
        return {"区划代码": county, TOWN: town, VILLAGE: village}
    if kind == "village_missing":
        town = row[TOWN] or divisions.name_of(divisions.children_of(row["区划代码"].ljust(12, "0"), 6)[0])
        return {TOWN: town, VILLAGE: ""}
    return {VILLAGE: "不存在的村"}
