"""Work lists: what an office has to do, as its caseworkers open it first.

GET /regions/{code}/work/places-to-complete — children registered at their county (their list
named no village) whose village is still to be set with `complete_child_place`. Any account reads
the lists of her office's subtree; names and birth dates only in roles that see personal data,
and every reading of them is written to the access log, as for /regions/{code}/children.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.scope import MAX_OFFSET, log_children_read, readable_region, without_personal_data
from services.api.schemas import PlacesToComplete, read
from services.projections.places_to_complete import places_to_complete

router = APIRouter(tags=["work lists"])


@router.get("/regions/{code}/work/places-to-complete", **read(PlacesToComplete))
async def places(request: Request, code: str, db: Engine, keys: Keys, limit: int = Query(100, ge=1, le=10_000),
                 offset: int = Query(0, ge=0, le=MAX_OFFSET), caller: Caller = Depends(signed_in)) -> dict:
    """Children registered at a county of the region's subtree, whose village is not known yet."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        found = await places_to_complete(conn, keys, region, limit, offset)
    rows = found["children"]
    if caller.sees_personal_data:
        await log_children_read(request, caller, ((row["child_id"], row["county"]) for row in rows))
    return {"region": region.code, "total": found["total"], "children": without_personal_data(caller, rows)}
