"""Query: how the active pairs of a region kept their cadence in a month, as figures — per rule
how many pairs met it (and missed it, or have it still open), how many met every rule, how many
missed none — for the region and for each of its sub-regions (a pair counts where it is owned).

The verdicts are `report.pair_compliance`'s, judged on `today` for a month not over.
Working them out reads every active pair's facts (hundreds of milliseconds for a few thousand
pairs): `cache.ComplianceCache` keeps tallies, which add up, region by region."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.activity.care.cadence import Profile
from services.activity.care.compliance import Status
from services.projections.pair_compliance.report import pair_compliance

PAGE = 2000


class Tally:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.pairs = self.all_met = self.compliant = 0
        self.rules = {rule.name: Counter() for rule in profile.rules}

    def add(self, report: dict) -> None:
        self.pairs += 1
        self.compliant += report["compliant"]
        self.all_met += all(rule["status"] == Status.met for rule in report["rules"])
        for rule in report["rules"]:
            self.rules[rule["rule"]][rule["status"].value] += 1

    def merge(self, other: Tally) -> None:
        self.pairs, self.all_met, self.compliant = (self.pairs + other.pairs, self.all_met + other.all_met,
                                                    self.compliant + other.compliant)
        for name, counts in other.rules.items():
            self.rules[name].update(counts)

    def figures(self) -> dict:
        def share(n: int) -> float:
            return round(n / self.pairs, 4) if self.pairs else 0.0

        return {"pairs": self.pairs, "all_met": self.all_met, "share_all_met": share(self.all_met),
                "compliant": self.compliant, "share_compliant": share(self.compliant),
                "rules": {name: {**{s.value: counts[s.value] for s in Status},
                                 "share_met": share(counts[Status.met.value])}
                          for name, counts in self.rules.items()}}


async def compliance_figures(conn: AsyncConnection, region: Region, month: str, profile: Profile,
                             today: date, part_length: int | None = None) -> dict:
    """{"month", "judged_on", "profile", **figures, "parts": {code prefix: figures}} — `parts` by
    the first `part_length` digits of each pair's region (none without it)."""
    total, parts = await tallies(conn, region, month, profile, today, part_length)
    return shaped(total, parts, month, today)


async def tallies(conn: AsyncConnection, region: Region, month: str, profile: Profile, today: date,
                  part_length: int | None = None, lengths: tuple[int, ...] = ()) -> tuple[Tally, dict[str, Tally]]:
    """The region's tally, and its parts' by the first `part_length` digits of each pair's region
    (or by each of `lengths`: the parts of every level below, in the same pass)."""
    total, parts = Tally(profile), {}
    lengths = lengths or ((part_length,) if part_length else ())
    offset = 0
    while True:
        page = await pair_compliance(conn, region, month, profile, limit=PAGE, offset=offset, today=today)
        for report in page["pairs"]:
            total.add(report)
            for length in lengths:
                parts.setdefault(report["region"][:length], Tally(profile)).add(report)
        offset += len(page["pairs"])
        if not page["pairs"] or offset >= page["total"]:
            break
    return total, parts


def shaped(total: Tally, parts: dict[str, Tally], month: str, today: date) -> dict:
    return {"month": month, "judged_on": today.isoformat(), "profile": total.profile.name, **total.figures(),
            "parts": {key: tally.figures() for key, tally in sorted(parts.items()) if tally.pairs}}


def empty(profile: Profile, month: str, today: date) -> dict:
    """The figures of a region without any pair, in the same shape."""
    return {"month": month, "judged_on": today.isoformat(), "profile": profile.name,
            **Tally(profile).figures(), "parts": {}}
