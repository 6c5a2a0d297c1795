"""What the platform fills into a command from its read side, never the sender (`filled_by_server`
on the command: its body model leaves those fields out, so a body naming them is refused 422): an
office's month submitted upward carries the figures the ledger holds for it. One table, by context
and command; a command not in it is sent as its body says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import InvalidRegion, Region, known_region
from services.api.recognition import nomination_record
from services.projections.submissions.snapshot import month_snapshot

Filler = Callable[[AsyncEngine, BaseModel], Awaitable[dict[str, Any]]]


def _office(body: BaseModel) -> Region | None:
    try:
        return known_region(body.office)
    except InvalidRegion:  # the service refuses it, naming the field
        return None


async def submission(db: AsyncEngine, body: BaseModel) -> dict[str, Any]:
    if (office := _office(body)) is None:
        return {}
    async with db.connect() as conn:
        figures, sub_offices = await month_snapshot(conn, office, body.month)
    return {"figures": figures, "sub_offices": sub_offices}


async def adjustment(db: AsyncEngine, body: BaseModel) -> dict[str, Any]:
    return {key: value for key, value in (await submission(db, body)).items() if key == "figures"}


FILLERS: dict[tuple[str, str], Filler] = {
    ("reporting", "submit_month"): submission,
    ("reporting", "adjust_month"): adjustment,
    ("reporting", "nominate_volunteer"): nomination_record,  # her record of the year (最美爱心妈妈)
}


async def fill_in(db: AsyncEngine, context: str, name: str, body: BaseModel) -> dict[str, Any]:
    filler = FILLERS.get((context, name))
    return await filler(db, body) if filler else {}
