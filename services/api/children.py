"""GET the children of a region and where one child is on file. Names and birth dates only for
roles that see personal data (caseworkers and approvers), every reading of them written to the
access log (services.api.scope)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.scope import MAX_OFFSET, log_children_read, readable_region, require_readable, without_personal_data
from services.api.schemas import ChildOnFile, RegionChildren, read
from services.projections.children_directory import child_names, children_count, children_in

router = APIRouter(tags=["read models"])
ChildId = Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


@router.get("/regions/{code}/children", **read(RegionChildren))
async def region_children(request: Request, code: str, db: Engine, keys: Keys,
                          limit: int = Query(100, ge=1, le=10_000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
                          caller: Caller = Depends(signed_in)) -> dict:
    """The children of the region; names and birth dates only for caseworkers and approvers,
    whose every reading of them is written to the access log."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        rows = await children_in(conn, keys, region, limit, offset)
        total = await children_count(conn, region)
    if caller.sees_personal_data:
        await log_children_read(request, caller, ((row["child_id"], row["region"]) for row in rows))
    return {"region": region.code, "total": total, "offset": offset,
            "children": without_personal_data(caller, rows)}


@router.get("/children/{child_id}", **read(ChildOnFile))
async def child_on_file(request: Request, db: Engine, keys: Keys, child_id: str = ChildId,
                        caller: Caller = Depends(signed_in)) -> dict:
    """Where a child is on file, and her name for a role that may see personal data (logged)."""
    async with db.connect() as conn:
        found = await child_names(conn, keys, [child_id])
    if child_id not in found:
        raise HTTPException(404, f"no child with id {child_id}")
    name, region = found[child_id]
    require_readable(caller, region, f"the file of child {child_id}")
    if not caller.sees_personal_data:
        return {"child_id": child_id, "region": region}
    await log_children_read(request, caller, [(child_id, region)])
    return {"child_id": child_id, "region": region, "name": name}
