"""GET endpoints of matching: suggestions for a child, a batch proposal for a street or district,
the pools, the rematch queue and pairs per mode. All read the read models; suggestions and batches
are computed on request (in a worker thread: a district is a few hundred milliseconds of solving).
Each is read within the caller's subtree (a child's suggestions within the child's region). They
name children and volunteers by id only; the suggestions name their child to caseworkers and
approvers, and that reading is written to the access log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.envelope import FederationLevel
from services.api.auth import Caller, signed_in
from services.api.scope import log_children_read, readable_region, require_readable
from services.pairing.matching.engine import batch, suggest
from services.pairing.matching.snapshot import child_snapshot, region_snapshot
from services.projections.children_directory import children as children_directory
from services.projections.pair_modes import figures_by_mode
from services.projections.rematch_queue import waiting
from services.projections.volunteer_pools import POOLS, pool_volunteers, pools
from services.shared.privacy import KeyStore

BATCH_LEVELS = (FederationLevel.district, FederationLevel.street)


def add_matching_routes(api: FastAPI, db: AsyncEngine, keys: KeyStore) -> None:
    @api.get("/children/{child_id}/suggestions", tags=["matching"])
    async def suggestions(request: Request, child_id: str, top: int = Query(5, ge=1, le=100),
                          caller: Caller = Depends(signed_in)) -> dict:
        """Volunteers for the child, best first, with the reasons of each score; the child's name
        is given to caseworkers and approvers only."""
        async with db.connect() as conn:
            found = await child_snapshot(conn, child_id, _today())
            if found is None:
                raise HTTPException(404, f"no child with id {child_id} in the matching read model")
            child, snapshot = found
            require_readable(caller, child.region, f"the suggestions for child {child_id}")
            named = {"child_name": await _child_name(conn, keys, child_id)} if caller.sees_personal_data else {}
        if named:
            await log_children_read(request, caller, [(child_id, child.region)])
        return {"region": snapshot.scope, **named, **suggest(child, snapshot, top).as_dict()}

    @api.get("/regions/{code}/batch-proposal", tags=["matching"])
    async def batch_proposal(code: str, caller: Caller = Depends(signed_in)) -> dict:
        region = readable_region(caller, code)
        if region.level not in BATCH_LEVELS:
            raise HTTPException(422, f"a batch is proposed for a street/town or a district, not a {region.level}")
        async with db.connect() as conn:
            snapshot = await region_snapshot(conn, region, _today())
        started = asyncio.get_running_loop().time()
        proposal = await asyncio.to_thread(batch, snapshot)
        seconds = asyncio.get_running_loop().time() - started
        return {**proposal.as_dict(), "children": len(snapshot.children),
                "volunteers": len(snapshot.volunteers), "seconds": round(seconds, 3)}

    @api.get("/regions/{code}/pools", tags=["matching"])
    async def region_pools(code: str, limit: int = Query(100, ge=1, le=10_000),
                           members: str | None = Query(None, description=f"list one pool: {', '.join(POOLS)}"),
                           caller: Caller = Depends(signed_in)) -> dict:
        """Pool sizes; with `members`, the volunteers of one pool (by id: no names)."""
        region = readable_region(caller, code)
        if members is not None and members not in POOLS:
            raise HTTPException(422, f"pool {members!r} is not one of {', '.join(POOLS)}")
        async with db.connect() as conn:
            result = await pools(conn, region)
            if members:
                result["volunteers"] = await pool_volunteers(conn, region, members, limit)
        return result

    @api.get("/regions/{code}/rematch-queue", tags=["matching"])
    async def rematch_queue(code: str, top: int = Query(3, ge=0, le=20),
                            limit: int = Query(100, ge=1, le=1000), caller: Caller = Depends(signed_in)) -> dict:
        region = readable_region(caller, code)
        async with db.connect() as conn:
            entries = await waiting(conn, region, limit)
            for entry in entries:  # fresh suggestions, from the volunteers' standing as it is now
                found = await child_snapshot(conn, entry["child_id"], _today())
                entry["suggestions"] = suggest(*found, top).as_dict() if found else None
        return {"region": region.code, "children": entries}

    @api.get("/regions/{code}/pair-modes", tags=["matching"])
    async def pair_modes(code: str, caller: Caller = Depends(signed_in)) -> dict:
        region = readable_region(caller, code)
        async with db.connect() as conn:
            return {"region": region.code, "level": region.level.value, "modes": await figures_by_mode(conn, region)}


def _today():
    return datetime.now(UTC).date()


async def _child_name(conn: AsyncConnection, keys: KeyStore, child_id: str) -> str | None:
    """The child's name from the children directory (None if it has no row there yet)."""
    query = select(children_directory.c.personal).where(children_directory.c.child_id == child_id)
    personal = (await conn.execute(query)).scalar_one_or_none()
    return await keys.name_of(personal) if personal is not None else None
