"""HTTP read side of care: how the pairs of a region kept their cadence in a month (figures per
pair: any role may read them within her subtree), with the names of each pair's children and
volunteers for roles that see personal data (services.api.names; the children named are logged)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from contracts.regions import InvalidRegion, parse_region
from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.names import Names, log_named, names_for
from services.api.scope import MAX_OFFSET
from services.api.schemas import PairCompliance, read
from services.activity.care.cadence import PROFILES, UnknownProfile, profile_for, profile_named
from services.projections.matching_candidates.queries import volunteers_of
from services.projections.pair_compliance.report import pair_compliance

router = APIRouter(tags=["read models"])


@router.get("/pairs/compliance", **read(PairCompliance))
async def compliance(
    request: Request,
    db: Engine,
    keys: Keys,
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
            result = await pair_compliance(conn, where, month, chosen, limit, offset,
                                           today=datetime.now(UTC).date())
            volunteers = await volunteers_of(conn, [p["pair_id"] for p in result["pairs"]])
            names = await names_for(conn, keys, caller, (c for p in result["pairs"] for c in p["child_ids"]),
                                    (v for vs in volunteers.values() for v in vs))
    except (InvalidRegion, UnknownProfile, ValueError) as error:
        raise HTTPException(422, str(error)) from None
    await log_named(request, caller, names)
    result["pairs"] = [_named(p, volunteers.get(p["pair_id"], []), names) for p in result["pairs"]]
    return result


def _named(pair: dict, volunteer_ids: list[str], names: Names) -> dict:
    """The pair with its volunteers, and the names of its people where the caller may read them."""
    return {**pair, "volunteer_ids": volunteer_ids,
            "children": [names.child({"child_id": c}, to="name") for c in pair["child_ids"]],
            "volunteers": [names.volunteer({"volunteer_id": v}, to="name") for v in volunteer_ids]}
