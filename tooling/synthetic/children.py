"""Synthetic civil-affairs lists for tests and benchmarks: invented people with well-formed
identity numbers (made with the check-digit function, never taken from anyone), in the real
communities of the report towns (contracts.regions.report_places), with a share of bad rows of
many kinds whose lines are known in advance."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from contracts.intake.registration import Sex
from contracts.regions.report_places import report_communities
from tooling.synthetic.idcard import synthetic_id_number

HEADER = ["序号", "姓名", "性别", "出生日期", "身份证号", "类别", "子类别", "区划代码", "住址", "监护人",
          "监护人关系", "联系电话", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "明 红 怡 涵 然 萱 轩 桐 杰 琪 诺 墨 文 瑶 宇 欣".split()
FIRST_BIRTH = date(2010, 1, 1)
BIRTH_SPAN_DAYS = 4000  # births 2010-01-01 … 2020-12-14: children of 5 to 16 in 2026
BAD_KINDS: dict[str, tuple[str, object]] = {
    # kind: (column that must be reported, how the good row is spoiled)
    "check_digit": ("身份证号", lambda r: r.update({"身份证号": r["身份证号"][:17] + _other(r["身份证号"][17])})),
    "birth_disagrees": ("出生日期", lambda r: r.update({"出生日期": _shift(r["出生日期"])})),
    "sex_disagrees": ("性别", lambda r: r.update({"性别": "女" if r["性别"] == "男" else "男"})),
    "unknown_region": ("区划代码", lambda r: r.update({"区划代码": r["区划代码"][:9] + "999"})),
    "town_region": ("区划代码", lambda r: r.update({"区划代码": r["区划代码"][:9]})),  # neither village nor county
    "bad_phone": ("联系电话", lambda r: r.update({"联系电话": "12345"})),
    "empty_name": ("姓名", lambda r: r.update({"姓名": ""})),
    "unknown_category": ("类别", lambda r: r.update({"类别": "孤寡老人"})),
    "bad_date": ("出生日期", lambda r: r.update({"出生日期": "2015-13-40"})),
    "scientific_id": ("身份证号", lambda r: r.update({"身份证号": "4.40105E+17"})),
}
ADULT = "adult"  # built, not spoiled: a consistent number and date of someone 18 or older
REPEAT = "repeat"  # the identity number of an earlier good row


@dataclass
class SyntheticList:
    header: list[str]
    rows: list[dict[str, str]]
    bad: dict[int, tuple[str, str]] = field(default_factory=dict)  # line -> (kind, column)

    @property
    def good_lines(self) -> list[int]:
        return [line for line in range(2, len(self.rows) + 2) if line not in self.bad]

    def write_csv(self, path: Path, encoding: str = "utf-8-sig") -> Path:
        with path.open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out)
            writer.writerow(self.header)
            writer.writerows([row[h] for h in self.header] for row in self.rows)
        return path


def synthetic_children(count: int, bad_share: float = 0.01, seed: int = 1, no_id_share: float = 0.05,
                       offset: int = 0) -> SyntheticList:
    """`count` rows (line 2 onwards); row i is the same child in every list with the same seed, so
    two lists with overlapping `offset` ranges overlap in people."""
    places = [c.code for c in report_communities()]
    kinds = [*BAD_KINDS, ADULT, REPEAT]
    spoiled = random.Random(seed * 7919 + offset)
    listing = SyntheticList(HEADER, [])
    for i in range(offset, offset + count):
        row = _child(i, seed, places, random.Random(seed * 1_000_003 + i), no_id_share)
        line = len(listing.rows) + 2
        if spoiled.random() < bad_share and line > 2:
            kind = kinds[len(listing.bad) % len(kinds)]
            row = _spoil(row, kind, listing)
            if row is not None:
                listing.bad[line] = (kind, _column_of(kind))
            else:
                row = _child(i, seed, places, random.Random(seed * 1_000_003 + i), no_id_share)
        listing.rows.append(row)
    return listing


def _child(i: int, seed: int, places: list[str], rng: random.Random, no_id_share: float) -> dict[str, str]:
    place = places[i % len(places)]
    sex = rng.choice(list(Sex))
    born = FIRST_BIRTH + timedelta(days=(i * 7 + seed) % BIRTH_SPAN_DAYS)
    number = synthetic_id_number(place[:6], born, sex, (i * 7 + seed) // BIRTH_SPAN_DAYS)
    left_behind = rng.random() < 0.7
    return {"序号": str(i + 1), "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "性别": "男" if sex is Sex.male else "女", "出生日期": f"{born:%Y/%-m/%-d}",
            "身份证号": "" if rng.random() < no_id_share else number,
            "类别": "留守儿童" if left_behind else "困境儿童",
            "子类别": rng.choice(["父母双方外出", "父母一方外出"]) if left_behind else rng.choice(["孤儿", "残疾", "低保"]),
            "区划代码": place, "住址": f"第{i % 50 + 1}巷{i % 97 + 1}号", "监护人": rng.choice(SURNAMES) + "奶奶",
            "监护人关系": "祖父母", "联系电话": f"139{i:08d}", "备注": ""}


def _spoil(row: dict[str, str], kind: str, listing: SyntheticList) -> dict[str, str] | None:
    if kind == REPEAT:
        earlier = next((r for n, r in enumerate(listing.rows, 2) if n not in listing.bad and r["身份证号"]), None)
        return None if earlier is None else {**row, "身份证号": earlier["身份证号"], "出生日期": earlier["出生日期"],
                                             "性别": earlier["性别"]}
    if not row["身份证号"] and kind in ("check_digit", "birth_disagrees", "sex_disagrees"):
        return None
    if kind == ADULT:
        born = date(2003, 5, 17)
        sex = Sex.male if row["性别"] == "男" else Sex.female
        return {**row, "出生日期": born.isoformat(), "身份证号": synthetic_id_number(row["区划代码"][:6], born, sex, 3)}
    row = dict(row)
    BAD_KINDS[kind][1](row)
    return row


def _column_of(kind: str) -> str:
    return {ADULT: "出生日期", REPEAT: "身份证号"}.get(kind) or BAD_KINDS[kind][0]


def _other(check: str) -> str:
    return "0" if check != "0" else "1"


def _shift(text: str) -> str:
    year, month, day = map(int, text.split("/"))
    return (date(year, month, day) + timedelta(days=1)).isoformat()
