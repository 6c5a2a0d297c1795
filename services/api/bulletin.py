"""An office's 通报 over HTTP (any role, within the caller's subtree; figures, no personal data):
its direct sub-offices for a month, ranked on timeliness, coverage, five-ones compliance and
contacts overdue, carded blue, yellow or red by the thresholds the office set
(`POST /commands/reporting/set_card_thresholds`); as JSON, or as a workbook."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from contracts.regions import parse_region
from services.activity.care.cadence import profile_named
from services.api.auth import Caller, signed_in
from services.api.bulletin_file import XLSX, bulletin_xlsx
from services.api.deps import Compliance, Engine
from services.api.schemas import Bulletin, read
from services.api.scope import readable_region
from services.projections.bulletin.queries import NoSubOffices, bulletin
from services.reporting.submission.deadlines import ENV, month_bounds, parse_days

FIVE_ONES = "haimen"  # as the figures: the profile the five ones are judged under
FIRST_MONTH = "2000-01"  # as the thresholds' first month: nothing of the programme stood before
MONTH = Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="the month, e.g. 2026-11")
router = APIRouter(tags=["figures"])


async def _bulletin(code: str, month: str, caller: Caller, db, cache) -> dict:
    region, today = readable_region(caller, code), datetime.now(UTC).date()
    if month < FIRST_MONTH:
        raise HTTPException(422, f"month: {month} is before {FIRST_MONTH}, when no bulletin stood")
    if month_bounds(month)[0] > today:
        raise HTTPException(422, f"month: {month} has not begun")
    try:
        days = parse_days(os.environ.get(ENV))
    except ValueError as error:  # the platform's configuration, not the caller's request
        raise HTTPException(503, str(error)) from None
    try:
        async with db.connect() as conn:
            return await bulletin(conn, region, month, today, cache, profile_named(FIVE_ONES), days)
    except NoSubOffices as error:
        raise HTTPException(422, f"code: {error}") from None


@router.get("/regions/{code}/bulletin", **read(Bulletin))
async def region_bulletin(code: str, db: Engine, cache: Compliance, month: str = MONTH,
                          caller: Caller = Depends(signed_in)) -> dict:
    """The office's 通报 for the month: each direct sub-office's rank, score (the mean of its
    measures, each 0 to 1, times 100), measures, cards with their reasons and its card (the most
    severe); the thresholds it was carded by (`thresholds_of`: the office that set them, None for
    the defaults) and how many sub-offices hold each card."""
    return await _bulletin(code, month, caller, db, cache)


@router.get("/regions/{code}/bulletin.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}}})
async def region_bulletin_xlsx(code: str, db: Engine, cache: Compliance, month: str = MONTH,
                               caller: Caller = Depends(signed_in)) -> Response:
    """The same 通报 as a workbook: the ranking with each card in its colour, and its thresholds."""
    found = await _bulletin(code, month, caller, db, cache)
    filename = f"aixin-bulletin-{parse_region(found['region']).prefix or 'CN'}-{month}.xlsx"
    return Response(bulletin_xlsx(found), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
