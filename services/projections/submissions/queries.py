"""Queries of `submissions`: an office's months and where each stands, its sub-offices' months (who is
late), one month's figures as submitted and the adjustments since, and the accepted months (for the
platform's adjustment process). A month not submitted has no row: it is worked out here from the
deadlines (`reporting.submission.deadlines`, pure) and the day asked on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import FederationLevel
from contracts.regions import Region, region_name, subregions
from services.projections.submissions.model import steps, submissions
from services.reporting.submission.deadlines import (AWAITED, DEFAULT_DAYS, SUBMITTING, days_late, deadline,
                                                     month_bounds)

Days = Mapping[FederationLevel, int]


def office_code(region: Region) -> str:
    return region.prefix or "CN"


def months_over(today: date, count: int) -> list[str]:
    """The last `count` months that are over on `today`, the latest first."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def _standing(office: Region, month: str, row: Mapping | None, today: date, days: Days) -> dict:
    due = deadline(month, office.level, days)
    if row is None:
        late = days_late(due, today)
        return {"office": office_code(office), "name": region_name(office), "month": month, "status": "not submitted",
                "deadline": due.isoformat(), "days_late": late, "late": late > 0, "round": 0, "submitted_on": None,
                "reviewer": None, "reviewed_on": None, "reason": None, "adjustments": 0}
    return {"office": office_code(office), "name": region_name(office), "month": month, "status": row["status"],
            "deadline": row["deadline"], "days_late": row["days_late"], "late": row["days_late"] > 0,
            "round": row["round"], "submitted_on": row["submitted_on"], "reviewer": row["reviewer"],
            "reviewed_on": row["reviewed_on"], "reason": row["reason"], "adjustments": row["adjustments"]}


async def _rows(conn: AsyncConnection, offices: list[str], months: list[str]) -> dict[tuple[str, str], Mapping]:
    query = select(submissions).where(submissions.c.office.in_(offices), submissions.c.month.in_(months))
    return {(r["office"], r["month"]): r for r in (await conn.execute(query)).mappings()}


async def office_months(conn: AsyncConnection, office: Region, today: date, count: int = 12,
                        days: Days = DEFAULT_DAYS) -> list[dict]:
    """The office's last `count` months that are over, the latest first, each with where it stands."""
    if office.level not in SUBMITTING:
        return []
    months = months_over(today, count)
    rows = await _rows(conn, [office_code(office)], months)
    return [_standing(office, m, rows.get((office_code(office), m)), today, days) for m in months]


async def office_month(conn: AsyncConnection, office: Region, month: str, today: date,
                       days: Days = DEFAULT_DAYS) -> dict | None:
    """Where one month of the office stands (None: its office submits no month)."""
    if office.level not in SUBMITTING:
        return None
    rows = await _rows(conn, [office_code(office)], [month])
    return _standing(office, month, rows.get((office_code(office), month)), today, days)


def sub_offices(office: Region) -> list[Region]:
    """The offices whose months this office reviews: its direct sub-regions at a submitting level."""
    return [sub for sub in subregions(office) if sub.level in SUBMITTING]


async def sub_office_months(conn: AsyncConnection, office: Region, month: str, today: date,
                            days: Days = DEFAULT_DAYS) -> list[dict]:
    """Each sub-office's month: the late first (longest late leads), then by code. A town's month is
    welcome, not awaited (`awaited` False): a town not submitting is not late."""
    subs = sub_offices(office)
    rows = await _rows(conn, [office_code(s) for s in subs], [month])
    found = []
    for sub in subs:
        standing = _standing(sub, month, rows.get((office_code(sub), month)), today, days)
        standing["awaited"] = sub.level in AWAITED
        if not standing["awaited"] and standing["status"] == "not submitted":
            standing.update(late=False, days_late=0)
        found.append(standing)
    return sorted(found, key=lambda s: (not s["late"] or s["status"] != "not submitted", -s["days_late"], s["office"]))


async def late_sub_offices(conn: AsyncConnection, office: Region, today: date, count: int = 3,
                           days: Days = DEFAULT_DAYS) -> list[dict]:
    """The work list of the office above: each awaited sub-office's month of the last `count` that
    is past its deadline and not submitted, the longest late first."""
    late = [{"office_name": row["name"], **{key: row[key] for key in ("office", "month", "deadline", "days_late")}}
            for month in months_over(today, count)
            for row in await sub_office_months(conn, office, month, today, days)
            if row["late"] and row["status"] == "not submitted"]
    return sorted(late, key=lambda row: (-row["days_late"], row["office"]))


async def submission_of(conn: AsyncConnection, office: Region, month: str) -> dict | None:
    """One month as submitted: its figures then and now, its sub-offices, and every step with the
    adjustments' deltas."""
    row = (await conn.execute(select(submissions).where(
        submissions.c.office == office_code(office), submissions.c.month == month))).mappings().first()
    if row is None:
        return None
    query = select(steps).where(steps.c.submission_id == row["submission_id"]).order_by(steps.c.version)
    history = [{"step": s["step"], "on": s["step_on"], "operator": s["operator"], "office": s["office"],
                "reason": s["reason"], "deltas": s["deltas"]} for s in (await conn.execute(query)).mappings()]
    return {"office": row["office"], "name": region_name(office), "month": month, "status": row["status"],
            "round": row["round"], "deadline": row["deadline"], "days_late": row["days_late"],
            "submitted_on": row["submitted_on"], "reviewer": row["reviewer"], "reason": row["reason"],
            "figures_submitted": row["submitted"], "figures": row["figures"], "sub_offices": row["sub_offices"],
            "explanations": row["explanations"], "adjustments": [h for h in history if h["step"] == "adjusted"],
            "steps": history}


async def accepted_months(conn: AsyncConnection) -> list[tuple[str, str, dict]]:
    """Every accepted month (office, month, its figures with the adjustments so far), oldest first."""
    query = (select(submissions.c.office, submissions.c.month, submissions.c.figures)
             .where(submissions.c.status == "accepted").order_by(submissions.c.month, submissions.c.office))
    return [(r.office, r.month, r.figures) for r in await conn.execute(query)]


def month_is_over(month: str, today: date) -> bool:
    return month_bounds(month)[1] < today
