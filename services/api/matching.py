"""GET endpoints of matching: suggestions for a child, a batch proposal for a street or district,
the pools, the rematch queue and pairs per mode. All read the read models; suggestions and batches
are computed on request (in a worker thread: a district is a few hundred milliseconds of solving).
Each is read within the caller's subtree (a child's suggestions within the child's region). To
caseworkers and approvers they also name the children and volunteers (services.api.names), and
every child so named is written to the access log; other roles get ids only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from contracts.envelope import FederationLevel
from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.names import log_named, names_for
from services.api.scope import readable_region, require_readable
from services.api.schemas import BatchProposal, PairMembers, PairModes, Pools, RematchQueue, Suggestions, read
from services.pairing.matching.engine import batch, suggest
from services.projections.matching_candidates.queries import pair_linked
from services.projections.matching_candidates.snapshot import child_snapshot, region_snapshot
from services.projections.pair_modes import figures_by_mode
from services.projections.rematch_queue import waiting
from services.projections.volunteer_pools import POOLS, pool_volunteers, pools

BATCH_LEVELS = (FederationLevel.district, FederationLevel.street)
router = APIRouter(tags=["matching"])


@router.get("/children/{child_id}/suggestions", **read(Suggestions))
async def suggestions(request: Request, child_id: str, db: Engine, keys: Keys, top: int = Query(5, ge=1, le=100),
                      caller: Caller = Depends(signed_in)) -> dict:
    """Volunteers for the child, best first, with the reasons of each score; the child's name
    is given to caseworkers and approvers only."""
    async with db.connect() as conn:
        found = await child_snapshot(conn, child_id, _today())
        if found is None:
            raise HTTPException(404, f"no child with id {child_id} in the matching read model")
        child, snapshot = found
        require_readable(caller, child.region, f"the suggestions for child {child_id}")
        result = suggest(child, snapshot, top).as_dict()
        names = await names_for(conn, keys, caller, [child_id], [c["volunteer_id"] for c in result["candidates"]])
    await log_named(request, caller, names)
    result["candidates"] = [names.volunteer(c) for c in result["candidates"]]
    profile = {"region": child.region, "tier": child.tier, "needs": list(child.needs), "consent": child.consent}
    if child_id in names.children:  # her sex and age beside her name, for the roles that see names
        profile.update(sex=child.sex, age=child.age)
    return {"region": snapshot.scope, **names.child({"child_id": child_id}), "child": profile, **result}


@router.get("/regions/{code}/batch-proposal", **read(BatchProposal))
async def batch_proposal(request: Request, code: str, db: Engine, keys: Keys, caller: Caller = Depends(signed_in)) -> dict:
    region = readable_region(caller, code)
    if region.level not in BATCH_LEVELS:
        raise HTTPException(422, f"a batch is proposed for a street/town or a district, not a {region.level}")
    async with db.connect() as conn:
        snapshot = await region_snapshot(conn, region, _today())
    started = asyncio.get_running_loop().time()
    proposal = await asyncio.to_thread(batch, snapshot)
    seconds = asyncio.get_running_loop().time() - started
    result = {**proposal.as_dict(), "children": len(snapshot.children),
              "volunteers": len(snapshot.volunteers), "seconds": round(seconds, 3)}
    listed = [*result["proposals"], *result["unmatched"], *result["set_aside"]]
    async with db.connect() as conn:
        names = await names_for(conn, keys, caller, (r["child_id"] for r in listed),
                                (p["volunteer_id"] for p in result["proposals"]))
    await log_named(request, caller, names)
    kids = {c.child_id: c for c in snapshot.children}  # where each child lives and her tier, to list her by
    result["proposals"] = [names.volunteer(names.child(_placed(p, kids))) for p in result["proposals"]]
    for part in ("unmatched", "set_aside"):
        result[part] = [names.child(_placed(u, kids)) for u in result[part]]
    return result


def _placed(row: dict, kids: dict) -> dict:
    child = kids[row["child_id"]]
    return {**row, "child_region": child.region, "tier": child.tier}


@router.get("/regions/{code}/pools", **read(Pools))
async def region_pools(code: str, db: Engine, limit: int = Query(100, ge=1, le=10_000),
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


@router.get("/regions/{code}/rematch-queue", **read(RematchQueue))
async def rematch_queue(request: Request, code: str, db: Engine, keys: Keys, top: int = Query(3, ge=0, le=20),
                        limit: int = Query(100, ge=1, le=1000), caller: Caller = Depends(signed_in)) -> dict:
    region = readable_region(caller, code)
    async with db.connect() as conn:
        entries = await waiting(conn, region, limit)
        for entry in entries:  # fresh suggestions, from the volunteers' standing as it is now
            found = await child_snapshot(conn, entry["child_id"], _today())
            entry["suggestions"] = suggest(*found, top).as_dict() if found else None
        offers = [c for e in entries if e["suggestions"] for c in e["suggestions"]["candidates"]]
        names = await names_for(conn, keys, caller, (e["child_id"] for e in entries),
                                (c["volunteer_id"] for c in offers))
    await log_named(request, caller, names)
    for entry in entries:
        if entry["suggestions"]:
            entry["suggestions"]["candidates"] = [names.volunteer(c) for c in entry["suggestions"]["candidates"]]
    return {"region": region.code, "children": [names.child(e) for e in entries]}


@router.get("/pairs/{pair_id}/members", **read(PairMembers))
async def members_of_pair(request: Request, pair_id: str, db: Engine, keys: Keys, caller: Caller = Depends(signed_in)) -> dict:
    """Who a pair (or proposal) links, and where it stands; names for caseworkers and approvers."""
    async with db.connect() as conn:
        pair = await pair_linked(conn, pair_id)
        if pair is None:
            raise HTTPException(404, f"no pair with id {pair_id} in the matching read model")
        require_readable(caller, pair.region, f"the members of pair {pair_id}")
        names = await names_for(conn, keys, caller, list(pair.children), list(pair.volunteers))
    await log_named(request, caller, names)
    return {"pair_id": pair_id, "region": pair.region, "mode": pair.mode, "status": pair.status,
            "children": [names.child({"child_id": c}) for c in pair.children],
            "volunteers": [names.volunteer({"volunteer_id": v}) for v in pair.volunteers]}


@router.get("/regions/{code}/pair-modes", **read(PairModes))
async def pair_modes(code: str, db: Engine, caller: Caller = Depends(signed_in)) -> dict:
    region = readable_region(caller, code)
    async with db.connect() as conn:
        return {"region": region.code, "level": region.level.value, "modes": await figures_by_mode(conn, region)}


def _today():
    return datetime.now(UTC).date()
