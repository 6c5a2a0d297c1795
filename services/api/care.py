"""HTTP read side of care: how the pairs of a region kept their cadence in a month (figures per
pair, no personal data: any role may read them within her subtree)."""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import InvalidRegion, parse_region
from services.api.auth import Caller, signed_in
from services.api.scope import MAX_OFFSET
from services.activity.care.cadence import PROFILES, UnknownProfile, profile_for, profile_named
from services.activity.care.compliance_report import pair_compliance


def add_care_routes(api: FastAPI, db: AsyncEngine) -> None:
    @api.get("/pairs/compliance", tags=["read models"])
    async def compliance(
        region: str = Query(description="CN or a division code of 2 to 12 digits"),
        month: str = Query(pattern=r"^\d{4}-\d{2}$", description="e.g. 2026-05"),
        profile: str | None = Query(None, description=f"one of {', '.join(PROFILES)}; "
                                    "default: the profile the region follows"),
        limit: int = Query(1000, ge=1, le=10_000),
        offset: int = Query(0, ge=0, le=MAX_OFFSET),
        caller: Caller = Depends(signed_in),
    ) -> dict:
        """The cadence compliance of every pair of the region that was active in the month, per
        rule: met, missed, open (its period runs on) or not due, with the activities counted."""
        try:
            where = parse_region(region)
            caller.require_within(where, f"the compliance of the pairs of {where.code}")
            chosen = profile_named(profile) if profile else profile_for(where.code)
            async with db.connect() as conn:
                return await pair_compliance(conn, where, month, chosen, limit, offset)
        except (InvalidRegion, UnknownProfile, ValueError) as error:
            raise HTTPException(422, str(error)) from None
