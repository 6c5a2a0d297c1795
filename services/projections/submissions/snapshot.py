"""What an office submits for a month, read from the figure ledger: its subtree's figures (flows
within the month, stocks at its end; the stored figures only, the worked-out ones are the reader's),
and the sub-offices expected to submit too — those of a level that submits (`deadlines.AWAITED`)
with anything on file or done in their subtree by the month's end. The HTTP API puts both into the
command (`services.api.filled`); the platform's adjustment process reads the figures again for an
accepted month."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region, parse_region
from services.projections.figures.catalogue import STORED
from services.projections.figures.queries import THIS_LEVEL, month_by_subregion
from services.reporting.submission.deadlines import AWAITED, month_bounds

# Anything of these in a sub-office's subtree means it works in the programme, so its month is awaited.
WORKING = ("children", "volunteers", "activities", "active_pairs")


def stored(figures: dict) -> dict[str, int]:
    return {key: int(figures.get(key, 0)) for key in STORED}


async def month_snapshot(conn: AsyncConnection, office: Region, month: str) -> tuple[dict[str, int], list[str]]:
    """The office's figures of `month` and the codes (`440105`) of the sub-offices awaited."""
    start, end = month_bounds(month)
    total, rows = await month_by_subregion(conn, office, start, end)
    awaited = []
    for row in rows:
        if row["name"] == THIS_LEVEL:
            continue
        sub = parse_region(row["region"])
        if sub.level in AWAITED and any(row.get(key, 0) for key in WORKING):
            awaited.append(sub.prefix)
    return stored(total), awaited
