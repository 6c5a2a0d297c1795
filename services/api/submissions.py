"""The monthly submission (数据上报), read: an office's months and where each stands, and one month —
the office's own submission (its figures as submitted and now, its steps and adjustments) and its
sub-offices' (who is late). Any role, within its subtree; nothing personal is in them. Submitting,
returning and accepting are commands: POST /commands/reporting/… (the figures filled in by the
platform, `services.api.filled`)."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.api.auth import Caller, signed_in
from services.api.deps import Engine
from services.api.figures import today
from services.api.schemas import Answer, Row, read
from services.api.scope import readable_region
from services.projections.submissions.queries import (late_sub_offices, office_month, office_months,
                                                      sub_office_months, submission_of)
from services.reporting.submission.deadlines import ENV, parse_days

router = APIRouter(tags=["reporting"])
Month = Annotated[str, Path(pattern=r"^2[0-9]{3}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


class OfficeMonths(Answer):
    region: str
    months: list[Row]


class LateSubmissions(Answer):
    region: str
    late: list[Row]


class OfficeMonth(Answer):
    region: str
    month: str
    standing: Row | None
    submission: Row | None
    sub_offices: list[Row]


@router.get("/regions/{code}/submissions", **read(OfficeMonths))
async def months(code: str, db: Engine, count: int = Query(12, ge=1, le=120),
                 caller: Caller = Depends(signed_in)) -> dict:
    """The office's last `count` months that are over, the latest first: status, deadline, days late."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        found = await office_months(conn, region, today(), count, parse_days(os.environ.get(ENV)))
    return {"region": region.code, "months": found}


@router.get("/regions/{code}/submissions/{month}", **read(OfficeMonth))
async def month(code: str, month: Month, db: Engine, caller: Caller = Depends(signed_in)) -> dict:
    """One month: the office's submission as sent, accepted and adjusted since, and its sub-offices'
    (the late first)."""
    region, days, now = readable_region(caller, code), parse_days(os.environ.get(ENV)), today()
    async with db.connect() as conn:
        mine = await office_month(conn, region, month, now, days)
        detail = await submission_of(conn, region, month)
        subs = await sub_office_months(conn, region, month, now, days)
    return {"region": region.code, "month": month, "standing": mine, "submission": detail, "sub_offices": subs}


@router.get("/regions/{code}/queues/late-submissions", **read(LateSubmissions))
async def late(code: str, db: Engine, months: int = Query(3, ge=1, le=24), limit: int | None = Query(None, ge=1),
               caller: Caller = Depends(signed_in)) -> dict:
    """The office's sub-offices late with a month of the last `months` (past its deadline, not
    submitted), the longest late first: whom to remind."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        found = await late_sub_offices(conn, region, today(), months, parse_days(os.environ.get(ENV)))
    return {"region": region.code, "late": found[:limit]}
