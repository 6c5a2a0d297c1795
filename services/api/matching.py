"""GET endpoints of matching: suggestions for a child, a batch proposal for a street or district,
the pools, the rematch queue and pairs per mode. All read the read models; suggestions and batches
are computed on request (in a worker thread: a district is a few hundred milliseconds of solving)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import FastAPI, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.envelope import FederationLevel
from contracts.regions import InvalidRegion, Region, parse_region
from services.pairing.matching.engine import batch, suggest
from services.pairing.matching.snapshot import child_snapshot, region_snapshot
from services.projections.pair_modes import figures_by_mode
from services.projections.rematch_queue import waiting
from services.projections.volunteer_pools import POOLS, pool_volunteers, pools

BATCH_LEVELS = (FederationLevel.district, FederationLevel.street)


def add_matching_routes(api: FastAPI, db: AsyncEngine) -> None:
    @api.get("/children/{child_id}/suggestions", tags=["matching"])
    async def suggestions(child_id: str, top: int = Query(5, ge=1, le=100)) -> dict:
        async with db.connect() as conn:
            found = await child_snapshot(conn, child_id, _today())
        if found is None:
            raise HTTPException(404, f"no child with id {child_id} in the matching read model")
        child, snapshot = found
        return {"region": snapshot.scope, **suggest(child, snapshot, top).as_dict()}

    @api.get("/regions/{code}/batch-proposal", tags=["matching"])
    async def batch_proposal(code: str) -> dict:
        region = _region(code)
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
                           ) -> dict:
        region = _region(code)
        if members is not None and members not in POOLS:
            raise HTTPException(422, f"pool {members!r} is not one of {', '.join(POOLS)}")
        async with db.connect() as conn:
            result = await pools(conn, region)
            if members:
                result["volunteers"] = await pool_volunteers(conn, region, members, limit)
        return result

    @api.get("/regions/{code}/rematch-queue", tags=["matching"])
    async def rematch_queue(code: str, top: int = Query(3, ge=0, le=20),
                            limit: int = Query(100, ge=1, le=1000)) -> dict:
        region = _region(code)
        async with db.connect() as conn:
            entries = await waiting(conn, region, limit)
            for entry in entries:  # fresh suggestions, from the volunteers' standing as it is now
                found = await child_snapshot(conn, entry["child_id"], _today())
                entry["suggestions"] = suggest(*found, top).as_dict() if found else None
        return {"region": region.code, "children": entries}

    @api.get("/regions/{code}/pair-modes", tags=["matching"])
    async def pair_modes(code: str) -> dict:
        region = _region(code)
        async with db.connect() as conn:
            return {"region": region.code, "level": region.level.value, "modes": await figures_by_mode(conn, region)}


def _today():
    return datetime.now(UTC).date()


def _region(code: str) -> Region:
    try:
        return parse_region(code)
    except InvalidRegion as error:
        raise HTTPException(422, str(error)) from None
