"""Read models of giving and case work over HTTP: a fund's statement, gift packs delivered in a
region, a region's concerns. Their commands are POSTed like every other, at /commands/activity/….
Each is read within the caller's subtree; none holds a child's name or a note (concerns name the
child by id, their notes stay in the log, sealed)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query

from services.api.auth import Caller, signed_in
from services.api.deps import Engine
from services.api.scope import readable_region, require_readable
from services.api.schemas import Concerns, FundStatement, GiftPacks, read
from services.projections.concern_cases import concerns_in
from services.projections.fund_statement import fund_statement
from services.projections.gift_pack_deliveries import gift_packs_delivered

router = APIRouter(tags=["read models"])


@router.get("/funds/{fund_id}/statement", **read(FundStatement))
async def statement(fund_id: str, db: Engine, caller: Caller = Depends(signed_in)) -> dict:
    """Every line of the fund's account, for a fund kept by an office within the caller's subtree."""
    async with db.connect() as conn:
        found = await fund_statement(conn, fund_id)
    if found is None:
        raise HTTPException(404, f"no fund with id {fund_id}")
    require_readable(caller, found["region"], f"the statement of fund {fund_id}")
    return found


@router.get("/regions/{code}/gift-packs", **read(GiftPacks))
async def gift_packs(code: str, db: Engine, caller: Caller = Depends(signed_in)) -> dict:
    region = readable_region(caller, code)
    async with db.connect() as conn:
        return {"region": region.code, **await gift_packs_delivered(conn, region)}


@router.get("/regions/{code}/concerns", **read(Concerns))
async def concerns(code: str, db: Engine, open_only: bool = Query(True, description="only concerns not yet closed"),
                   caller: Caller = Depends(signed_in)) -> dict:
    region = readable_region(caller, code)
    async with db.connect() as conn:
        return {"region": region.code, "concerns": await concerns_in(conn, region, open_only)}
