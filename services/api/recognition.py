"""最美爱心妈妈 over HTTP: a region's nominations of a year (each volunteer named for the roles that
may read names), one nomination, and the counts awarded per year and level — all from the
`recognitions` read model, within the caller's subtree. The commands are POSTed like every other,
at /commands/reporting/nominate_volunteer (the volunteer's record is filled in by the API from the
read side, `services.api.filled`), award_volunteer and decline_nomination (the approver's)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.schemas import Answer, Row, read
from services.api.scope import readable_region, require_readable
from services.projections.recognitions.model import awarded_counts, nomination, nominations_in
from services.projections.recognitions.record import volunteer_record
from services.projections.volunteer_directory import volunteer_names

router = APIRouter(tags=["recognition"])
STATUSES = "^(nominated|awarded|declined)$"
YEAR = Query(None, ge=2000, le=2100, description="default: every year")


class Nominations(Answer):
    """The nominations of the region's volunteers, those waiting for review first; each with the
    volunteer's record as attached, its status, who decided and why a declined one was; `name` for
    roles that may read names."""
    region: str
    year: int | None = None
    personal: bool
    nominations: list[Row]


class Nomination(Answer):
    nomination_id: str
    volunteer_id: str
    region: str
    year: int
    status: str
    record: Row


class Recognitions(Answer):
    """Per year and awarding level (city, province; none for those waiting): nominated, awarded, declined."""
    region: str
    counts: list[Row]


async def _named(caller: Caller, conn, keys, rows: list[dict]) -> list[dict]:
    if not caller.sees_personal_data:
        return rows
    names = await volunteer_names(conn, keys, [row["volunteer_id"] for row in rows])
    return [{**row, "name": names.get(row["volunteer_id"])} for row in rows]


@router.get("/regions/{code}/nominations", **read(Nominations))
async def region_nominations(code: str, db: Engine, keys: Keys, year: int | None = YEAR,
                             status: str | None = Query(None, pattern=STATUSES),
                             caller: Caller = Depends(signed_in)) -> dict:
    region = readable_region(caller, code)
    async with db.connect() as conn:
        rows = await _named(caller, conn, keys, await nominations_in(conn, region, year, status))
    return {"region": region.code, "year": year, "personal": caller.sees_personal_data, "nominations": rows}


@router.get("/nominations/{nomination_id}", **read(Nomination))
async def one_nomination(db: Engine, keys: Keys, nomination_id: str = Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$"),
                         caller: Caller = Depends(signed_in)) -> dict:
    async with db.connect() as conn:
        found = await nomination(conn, nomination_id)
        if found is None:
            raise HTTPException(404, f"no nomination with id {nomination_id}")
        require_readable(caller, found["region"], f"nomination {nomination_id}")
        [shown] = await _named(caller, conn, keys, [found])
    return shown


@router.get("/regions/{code}/recognitions", **read(Recognitions))
async def region_recognitions(code: str, db: Engine, year: int | None = YEAR,
                              caller: Caller = Depends(signed_in)) -> dict:
    """Figures, no names: how many of the region's volunteers were nominated, awarded and declined."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        return {"region": region.code, "counts": await awarded_counts(conn, region, year)}


async def nomination_record(db: AsyncEngine, body: BaseModel) -> dict[str, Any]:
    """The volunteer's record of the year as the read side holds it on the nomination's day (today,
    or the earlier day named), for the command to carry (`services.api.filled`)."""
    today = datetime.now(UTC).date()
    as_of = min(body.nominated_on or today, today)  # a day in the future is the service's to refuse
    async with db.connect() as conn:
        return {"record": await volunteer_record(conn, body.volunteer_id, body.year, as_of)}
