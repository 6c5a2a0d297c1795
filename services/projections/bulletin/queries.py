"""Query: an office's 通报 for a month — its direct sub-offices ranked and carded, worked out on
read from the card thresholds (`model.py`), the sub-offices' months as `submissions` holds them (the
first submission's lateness, where each stands now), the figure ledger (children on
file and paired, active pairs and contacts overdue at the month's end, or today for a month not
over) and the five-ones verdicts of `pair_compliance`, by the pure rules of
`services.reporting.bulletin`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import FederationLevel
from contracts.regions import Region, parse_region
from services.activity.care.cadence import Profile
from services.projections.bulletin.model import settings_of
from services.projections.figures.queries import THIS_LEVEL, month_by_subregion, part_length
from services.projections.pair_compliance.cache import ComplianceCache
from services.projections.submissions.queries import sub_office_months
from services.reporting.bulletin.cards import Standing, card_counts, ranked
from services.reporting.bulletin.thresholds import Thresholds, applying, office_id
from services.reporting.submission.deadlines import DEFAULT_DAYS, month_bounds

OVERDUE = "reminders_open_contact_overdue"


class NoSubOffices(ValueError):
    """A community or village: no office below it to rank."""


async def bulletin(conn: AsyncConnection, region: Region, month: str, today: date, compliance: ComplianceCache,
                   profile: Profile, days: Mapping[FederationLevel, int] = DEFAULT_DAYS) -> dict:
    """{region, month, judged_on, thresholds, thresholds_of, counts, rows}: rows best first (see
    `services.reporting.bulletin.cards`). `days`: each level's deadline day of the next month."""
    length = part_length(region)
    if length is None:
        raise NoSubOffices(f"{region.code} is a community or village: it supervises no sub-office")
    start, end = month_bounds(month)
    judged_on = min(end, today)
    _, rows = await month_by_subregion(conn, region, start, judged_on)
    subs = [row for row in rows if row["name"] != THIS_LEVEL]
    codes = [parse_region(row["region"]).prefix for row in subs]
    cadence = await compliance.figures(conn, region, month, profile, today, length)
    submitted = {m["office"]: m for m in await sub_office_months(conn, region, month, today, days)}
    settings = await settings_of(conn, [office_id(a) for a in region.ancestors()])
    chosen, whose = applying({office: [(first, Thresholds(**values)) for first, values in made]
                              for office, made in settings.items()}, region, month)
    standings = [_standing(row, code, submitted.get(code), cadence["parts"].get(code)) for row, code in zip(subs, codes)]
    ranking = ranked(standings, chosen, today)
    return {"region": region.code, "level": region.level.value, "name": region.name, "month": month,
            "judged_on": judged_on.isoformat(), "profile": profile.name, "thresholds": chosen.as_dict(),
            "thresholds_of": whose, "counts": card_counts(ranking), "rows": ranking}


def _standing(row: dict, code: str, month: dict | None, cadence: dict | None) -> Standing:
    """`month`: the sub-office's month as `submissions` tells it (None: its level submits none)."""
    sent = month is not None and month["status"] != "not submitted"
    awaited = month is not None and (sent or month["awaited"])  # a town's month is welcome, not awaited
    return Standing(
        code=code, name=row["name"], deadline=date.fromisoformat(month["deadline"]) if awaited else None,
        late_by=month["days_late"] if sent else None,
        submitted_on=date.fromisoformat(month["submitted_on"]) if sent else None,
        status=month["status"] if sent else None,
        children=row["children"], children_paired=row["children_paired"],
        pairs=cadence["pairs"] if cadence else 0, pairs_compliant=cadence["compliant"] if cadence else 0,
        active_pairs=row["active_pairs"], contacts_overdue=row[OVERDUE])
