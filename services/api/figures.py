"""The federation's figures over HTTP (any role, within the caller's subtree; no personal data):
a region's figures as of a day with its direct sub-regions, its monthly series, a month's report as
a spreadsheet, and service hours per volunteer or team. All from the `figure_ledger` read model
(its roll-ups: a read of CN costs about what a village's does); the five-ones compliance from
`pair_compliance`, judged on the days elapsed and kept region by region until a pair's facts change
under the region (`services.projections.pair_compliance.cache`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from contracts.periods import Span
from contracts.regions import Region
from services.activity.care.cadence import PROFILES, UnknownProfile, profile_named
from services.activity.care.periods import month_bounds
from services.api.auth import Caller, signed_in
from services.api.deps import Compliance, Engine, Keys
from services.api.figures_report import REPORT_FORMATS, report_file
from services.api.hours import named_holders
from services.api.periods import asked_span, invalid, span_head
from services.api.scope import readable_region
from services.api.schemas import RegionFigures, RegionSeries, read
from services.projections.figures.hours import BY, service_hours
from services.projections.figures.queries import THIS_LEVEL, part_length
from services.projections.figures.spans import figures_on, figures_over, series_counted
from services.projections.pair_compliance.figures import empty

FIVE_ONES = "haimen"  # 海门 五个一: the profile the national figures are judged under
MONTH = r"^\d{4}-\d{2}$"
FIRST_DAY = date(1900, 1, 1)  # a day before any figure (and far enough from date.min to count back from)
PROFILES_TEXT = f"cadence profile of the compliance figures: {', '.join(PROFILES)}"
router = APIRouter(tags=["figures"])


def today() -> date:
    return datetime.now(UTC).date()


def _day(as_of: date | None) -> date:
    now = today()
    if as_of is not None and as_of > now:
        raise HTTPException(422, f"as_of: {as_of} is after today ({now}); figures stand up to today")
    if as_of is not None and as_of < FIRST_DAY:
        raise HTTPException(422, f"as_of: {as_of} is before {FIRST_DAY}, when no figure stood")
    return as_of or now


def _month(month: str) -> tuple[date, date]:
    try:
        start, end = month_bounds(month)
    except ValueError as error:
        raise HTTPException(422, f"month: {error}") from None
    if start < FIRST_DAY:
        raise HTTPException(422, f"month: {month} is before {FIRST_DAY}, when no figure stood")
    return start, end


def _report_span(month: str | None, span: Span | None, now: date) -> tuple[date, date, str]:
    """(first day, last day, how the file is named) of a report: a month's, or a span's."""
    if (month is None) == (span is None):
        raise invalid("month", "give a month, or a period (from and to, or period), one of them")
    if span is not None:
        return span.start, span.end, f"{span.start}_{span.end}"
    start, end = _month(month)
    if start > now:
        raise HTTPException(422, f"month: {month} has not begun")
    return start, end, month


def _profile(name: str):
    try:
        return profile_named(name)
    except UnknownProfile as error:
        raise HTTPException(422, f"profile: {error}") from None


def _with_compliance(rows: list[dict], compliance: dict, region: Region, profile, month: str, day: date) -> None:
    """Each sub-region's row gets its share of the compliance figures (the region's own row none)."""
    length = part_length(region)
    blank = {k: v for k, v in empty(profile, month, day).items() if k != "parts"}
    for row in rows:
        own = row["name"] == THIS_LEVEL
        row["compliance"] = (None if own else compliance["parts"].get(row["region"][:length])) or blank


def _head(region: Region) -> dict:
    return {"region": region.code, "level": region.level.value, "name": region.name}


@router.get("/regions/{code}/stats", **read(RegionFigures))
async def region_stats(code: str, db: Engine, cache: Compliance, as_of: date | None = Query(None, description="YYYY-MM-DD; default: today"),
                       profile: str = Query(FIVE_ONES, description=PROFILES_TEXT),
                       span: Span | None = Depends(asked_span), caller: Caller = Depends(signed_in)) -> dict:
    """Every figure of the region as it stood at the end of `as_of` (stocks as they stood, flows
    summed up to it), the five-ones compliance of that month judged on that day, and the same
    for each direct sub-region (`subregions`, whose figures sum to the region's). Over a span
    (`from` and `to`, or a named `period` of a `year`): flows summed over its days, stocks at its
    end (`as_of`) and at its start (`at_start`: at the end of the day before), the compliance of
    its last month judged on its last day."""
    if span is not None and as_of is not None:
        raise invalid("as_of", "give either as_of or a period (from and to, or period), not both")
    region, day = readable_region(caller, code), span.end if span else _day(as_of)
    chosen, month = _profile(profile), day.strftime("%Y-%m")
    async with db.connect() as conn:
        if span is None:
            figures, rows = await figures_on(conn, region, day)
        else:
            figures, rows, opening = await figures_over(conn, region, span.start, span.end)
            figures = {**span_head(span), **figures, "at_start": opening}
        compliance = await cache.figures(conn, region, month, chosen, day, part_length(region))
    _with_compliance(rows, compliance, region, chosen, month, day)
    compliance.pop("parts")
    return {**_head(region), "as_of": day.isoformat(), **figures, "compliance": compliance,
            "subregions": rows}


@router.get("/regions/{code}/series", **read(RegionSeries))
async def region_series(code: str, db: Engine, cache: Compliance, year: int = Query(ge=2000, le=2100),
                        as_of: date | None = Query(None, description="up to this day; default: today"),
                        profile: str = Query(FIVE_ONES, description=PROFILES_TEXT),
                        compliance: bool = Query(True, description="each month's compliance too (judged from "
                                                 "every pair of the region: the slow part of a first read)"),
                        caller: Caller = Depends(signed_in)) -> dict:
    """The region's figures month by month of `year` (up to `as_of`): flows within each month,
    stocks at its end (the last month's as of that day); and each month's five-ones compliance."""
    region, until, chosen = readable_region(caller, code), _day(as_of), _profile(profile)
    async with db.connect() as conn:
        months = await series_counted(conn, region, year, until)
        for month in months if compliance else ():
            found = await cache.figures(conn, region, month["month"], chosen, until)
            month["compliance"] = {k: v for k, v in found.items() if k != "parts"}
    return {**_head(region), "year": year, "as_of": until.isoformat(), "months": months}


@router.get("/regions/{code}/report", response_class=Response,
         responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                                      "text/csv": {}}}})


async def region_report(code: str, db: Engine, cache: Compliance, keys: Keys,
                        month: str | None = Query(None, pattern=MONTH, description="e.g. 2026-05; or a period"),
                        format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
                        profile: str = Query(FIVE_ONES, description=PROFILES_TEXT),
                        span: Span | None = Depends(asked_span), caller: Caller = Depends(signed_in)) -> Response:
    """The report of a month, or of any span (`from` and `to`, or a named `period` of a `year`):
    one sheet per topic (XLSX; CSV: one table in UTF-8 with BOM), one row per direct sub-region
    and a total; flows within the span, stocks at its end (or today); the five-ones compliance of
    its last month."""
    region, chosen, now = readable_region(caller, code), _profile(profile), today()
    start, end, name = _report_span(month, span, now)
    month = end.strftime("%Y-%m")
    async with db.connect() as conn:
        total, rows, _opening = await figures_over(conn, region, start, min(end, now))
        compliance = await cache.figures(conn, region, month, chosen, now, part_length(region))
        held = {by: await named_holders(conn, keys, caller, by, await service_hours(conn, region, by, start, end, 1000))
                for by in BY}  # the service hours' sheets: by volunteer, team and sub-region, named
    _with_compliance(rows, compliance, region, chosen, month, now)
    total["compliance"] = {k: v for k, v in compliance.items() if k != "parts"}
    content = report_file(format, {**_head(region), **total}, rows, chosen, held["volunteer"], held["team"],
                          held["region"])
    filename = f"aixin-{region.prefix or 'CN'}-{name}.{format}"
    return Response(content, media_type=REPORT_FORMATS[format],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
