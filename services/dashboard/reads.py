"""The readings a region page is made of besides its figures — the figures as they stood at the
end of the previous month (for each card's change) and the year's monthly series (for the monthly
charts) — shared by the page and its live stream, so that both show the same thing. Each is read
through the API with the operator's token; one the API refuses or lacks is left out (None) and the
page shows the rest."""

from __future__ import annotations

from datetime import date

from services.dashboard.client import ApiClient
from services.dashboard.view import previous_month_end

SERIES = "/regions/{code}/series"


async def month_before(client: ApiClient, token: str, code: str, stats: dict) -> dict | None:
    """The region's figures as of the last day of the month before the one `stats` is as of."""
    try:
        then = previous_month_end(date.fromisoformat(str(stats.get("as_of"))))
    except ValueError:
        return None
    answer = await client.get(token, f"/regions/{code}/stats", as_of=then.isoformat())
    return answer.body if answer.ok else None


async def year_series(client: ApiClient, token: str, code: str) -> dict | None:
    """This year's monthly series of the region, where the running API has the route."""
    if not client.has(SERIES):
        return None
    # Without the monthly compliance, which no chart draws: judging a year of months from every
    # pair of the region was most of a first home page's time.
    answer = await client.get(token, SERIES.replace("{code}", code), year=date.today().year, compliance="false")
    return answer.body if answer.ok else None
