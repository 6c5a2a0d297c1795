"""GET /regions/{code}/proposals: the pair proposals awaiting a decision in the caller's subtree,
with their members (named for caseworkers and approvers, every child so named written to the access
log) — the approvers' work list. An API route like any other, read with the caller's token and
within her subtree; the API includes its router beside the other matching routes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.names import log_named, names_for
from services.api.scope import readable_region
from services.api.schemas import Proposals, read
from services.projections.matching_candidates.queries import proposals_in

PATH = "/regions/{code}/proposals"
router = APIRouter(tags=["matching"])


@router.get(PATH, **read(Proposals))
async def proposals(request: Request, code: str, db: Engine, keys: Keys, limit: int = Query(100, ge=1, le=1000),
                    offset: int = Query(0, ge=0, le=10_000_000), caller: Caller = Depends(signed_in)) -> dict:
    """Proposals not yet approved, rejected or withdrawn, oldest pair id first."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        found = await proposals_in(conn, region, limit, offset)
        names = await names_for(conn, keys, caller, [c for p in found for c in p.children],
                                [v for p in found for v in p.volunteers])
    await log_named(request, caller, names)
    return {"region": region.code, "offset": offset, "proposals": [
        {"pair_id": p.pair_id, "mode": p.mode, "region": p.region,
         "children": [names.child({"child_id": c}) for c in p.children],
         "volunteers": [names.volunteer({"volunteer_id": v}) for v in p.volunteers]}
        for p in found]}
