"""GET the children and volunteers of a region whose name holds some text: how a caseworker picks a
child, her pair or a volunteer on a form without typing an id. Names are personal data: only roles
that see it may search, within their office's subtree, and every child found is written to the
access log (services.api.scope) before the answer leaves."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.schemas import PeopleFound, read
from services.api.scope import log_children_read, readable_region
from services.projections.children_directory import find_children
from services.projections.matching_candidates.queries import active_pairs_of
from services.projections.volunteer_directory import find_volunteers

router = APIRouter(tags=["read models"])


@router.get("/regions/{code}/people", **read(PeopleFound))
async def find_people(request: Request, code: str, db: Engine, keys: Keys,
                      q: str = Query(min_length=1, max_length=40, description="part of a name"),
                      kind: str = Query("child", pattern="^(child|volunteer)$"),
                      limit: int = Query(20, ge=1, le=100), caller: Caller = Depends(signed_in)) -> dict:
    """The children (or volunteers) of the region whose name holds `q`, each with the pairs she
    stands in now; `complete` is false where the region holds more names than one search opens
    (narrow it to a sub-region)."""
    region = readable_region(caller, code)
    if not caller.sees_personal_data:
        raise HTTPException(403, "searching by name needs the role caseworker or approver")
    async with db.connect() as conn:
        if kind == "child":
            found, complete = await find_children(conn, keys, region, q.strip(), limit)
        else:
            found, complete = await find_volunteers(conn, keys, region.prefix, q.strip(), limit)
        key = f"{kind}_id"
        standing = await active_pairs_of(conn, [row[key] for row in found])
    if kind == "child":
        await log_children_read(request, caller, ((row["child_id"], row["region"]) for row in found))
    people = [{**row, "pair_ids": standing.get(row[key], [])} for row in found]
    return {"region": region.code, "kind": kind, "q": q.strip(), "complete": complete, "people": people}
