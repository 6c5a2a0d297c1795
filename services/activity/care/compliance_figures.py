"""Query: how the active pairs of a region kept their cadence in a month, as figures — per rule
how many pairs met it (and missed it, or have it still open), how many met every rule, how many
missed none — for the region and for each of its sub-regions (a pair counts where it is owned).

The verdicts are `compliance_report.pair_compliance`'s, judged on `today` for a month not over.
Working them out reads every active pair's facts (hundreds of milliseconds for a few thousand
pairs), so a `ComplianceCache` keeps each region's figures for as long as the read model records no
change under the region (`pair_compliance.changes`) and the day judged on is the same."""

from __future__ import annotations

from collections import Counter, OrderedDict
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.activity.care.cadence import Profile
from services.activity.care.compliance import Status
from services.activity.care.compliance_report import pair_compliance
from services.projections.compliance_changes import changes

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
    total, parts = Tally(profile), {}
    offset = 0
    while True:
        page = await pair_compliance(conn, region, month, profile, limit=PAGE, offset=offset, today=today)
        for report in page["pairs"]:
            total.add(report)
            if part_length:
                key = report["region"][:part_length]
                parts.setdefault(key, Tally(profile)).add(report)
        offset += len(page["pairs"])
        if not page["pairs"] or offset >= page["total"]:
            break
    return {"month": month, "judged_on": page["judged_on"], "profile": profile.name, **total.figures(),
            "parts": {key: tally.figures() for key, tally in parts.items()}}


def empty(profile: Profile, month: str, today: date) -> dict:
    """The figures of a region without any pair, in the same shape."""
    return {"month": month, "judged_on": today.isoformat(), "profile": profile.name,
            **Tally(profile).figures(), "parts": {}}


class ComplianceCache:
    """Compliance figures worked out before, each kept with the read model's last change under its
    region as it stood when they were read; reused while that stands. One per database: sequences
    of different logs are not comparable. The change is read before the figures, in the same
    connection, so figures that already include a later change are only ever worked out again."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, tuple[int | None, dict]] = OrderedDict()
        self.hits = self.misses = 0

    async def figures(self, conn: AsyncConnection, region: Region, month: str, profile: Profile,
                      today: date, part_length: int | None = None) -> dict:
        """As `compliance_figures`; a fresh dict each time (its callers change it)."""
        key = (region.prefix, month, profile.name, today, part_length)
        mark = (await conn.execute(select(changes.c.last_seq).where(changes.c.prefix == region.prefix))).scalar()
        kept = self._kept.get(key)
        if kept is not None and kept[0] == mark:
            self.hits += 1
            self._kept.move_to_end(key)
            return {**kept[1], "parts": dict(kept[1]["parts"])}
        self.misses += 1
        found = await compliance_figures(conn, region, month, profile, today, part_length)
        self._kept[key] = (mark, found)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return {**found, "parts": dict(found["parts"])}
