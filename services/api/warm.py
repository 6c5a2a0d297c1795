"""The five-ones compliance worked out before anyone asks: judged from every pair of a region, it
took most of a first home page's time (1.5 s for the nation of a 2,000-child demo, each region's
first visit of the day paying its own share). Kept warm in the API's process — the nation's of this
month as of today, and of last month as of its last day, which the home page compares it with — so
that a first visit reads kept tallies (the nation worked out at once keeps every region below it:
services.projections.pair_compliance.cache). Again every ten minutes: a new day, or facts changed
since (only the regions whose marks moved are worked out again; not more often, as with pairs all
over the country most provinces change within minutes, and the nation is then worked out whole)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import parse_region
from services.activity.care.cadence import profile_named
from services.api.figures import FIVE_ONES, today
from services.projections.figures.queries import part_length
from services.projections.pair_compliance.cache import ComplianceCache

log = logging.getLogger(__name__)
EVERY = 600.0  # seconds between two rounds


def judged(day: date) -> list[tuple[str, date]]:
    """(month, the day it is judged on) of what a home page shows on `day`: this month, last month."""
    last_month_end = day.replace(day=1) - timedelta(days=1)
    return [(day.strftime("%Y-%m"), day), (last_month_end.strftime("%Y-%m"), last_month_end)]


async def warm_once(db: AsyncEngine, cache: ComplianceCache, day: date) -> None:
    nation, profile = parse_region("CN"), profile_named(FIVE_ONES)
    for month, on in judged(day):
        async with db.connect() as conn:
            await cache.figures(conn, nation, month, profile, on, part_length(nation))


async def keep_compliance_warm(db: AsyncEngine, cache: ComplianceCache, every: float = EVERY) -> None:
    """Round after round until cancelled; a round that fails is logged and the next one tried (a
    cold figure is slow, not wrong)."""
    while True:
        try:
            await warm_once(db, cache, today())
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the read database restarting, say: the pages work it out themselves
            log.warning("compliance figures not worked out ahead: %r", error)
        await asyncio.sleep(every)
