"""The span of days a figures read asks for (`?from=&to=`, or `?period=&year=`: 寒假, 暑假, 六一 or
their aliases winter, summer, june1, and whatever the deployment's period settings name — see
`contracts.periods`), checked: a wrong one is a 422 naming its field, never a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import HTTPException, Query, Request

from contracts.periods import PeriodError, Span, load_settings, requested

FIRST_DAY = date(1900, 1, 1)  # no figure stood before it
PERIODS_TEXT = ("a named period: 寒假 (winter), 暑假 (summer), 六一 (june1), or one the period "
                "settings name (periods.json in the data directory, or AIXIN_PERIODS)")


def invalid(field: str, message: str) -> HTTPException:
    """A 422 in the API's one error shape, its detail at the query's field."""
    said = message if message.startswith(field) else f"{field}: {message}"
    return HTTPException(422, {"code": "invalid", "message": said,
                               "details": [{"loc": ["query", field], "msg": message}]})


def period_settings(request: Request) -> dict:
    """The deployment's period settings, read at each request that names a period (an operator's
    edit counts at once); a settings file that cannot be read is the operator's to fix: 503."""
    try:
        return load_settings(getattr(request.app.state, "data_dir", None))
    except PeriodError as error:
        raise HTTPException(503, f"the period settings cannot be used: {error}") from None


async def asked_span(request: Request,
               start: date | None = Query(None, alias="from", description="first day (YYYY-MM-DD), with to"),
               end: date | None = Query(None, alias="to", description="last day (YYYY-MM-DD), not after today"),
               period: str | None = Query(None, min_length=1, max_length=40, description=PERIODS_TEXT),
               year: int | None = Query(None, ge=1900, le=2100, description="the period's year; default: "
                                        "the latest begun")) -> Span | None:
    """The span asked for, or None where the request names none (figures as of a day)."""
    if start is None and end is None and period is None and year is None:
        return None
    today = datetime.now(UTC).date()
    settings = period_settings(request) if period is not None else {}
    try:
        span = requested(start, end, period, year, today, settings)
    except PeriodError as error:
        raise invalid(error.field or "period", str(error)) from None
    if span.start < FIRST_DAY:
        raise invalid("from", f"{span.start} is before {FIRST_DAY}, when no figure stood")
    return span


def span_head(span: Span) -> dict:
    """What an answer over a span says of it."""
    return {"from": span.start.isoformat(), "to": span.end.isoformat(), "period": span.name, "days": span.days}
