"""GET /regions/{code}/proposals: the pair proposals awaiting a decision in the caller's subtree,
with their members (named for caseworkers and approvers, every child so named written to the access
log) — the approvers' work list. An API route like any other, read with the caller's token and
within her subtree; the API registers it with its other matching routes (`add_pending_routes`)."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Query, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.auth import Caller, signed_in
from services.api.names import log_named, names_for
from services.api.scope import readable_region
from services.projections.matching_candidates.model import members, pairs
from services.shared.privacy import KeyStore

PATH = "/regions/{code}/proposals"


def add_pending_routes(api: FastAPI, db: AsyncEngine, keys: KeyStore) -> None:
    @api.get(PATH, tags=["matching"])
    async def proposals(request: Request, code: str, limit: int = Query(100, ge=1, le=1000),
                        offset: int = Query(0, ge=0, le=10_000_000), caller: Caller = Depends(signed_in)) -> dict:
        """Proposals not yet approved, rejected or withdrawn, oldest pair id first."""
        region = readable_region(caller, code)
        query = select(pairs).where(pairs.c.status == "proposed").order_by(pairs.c.pair_id)
        if region.prefix:
            query = query.where(pairs.c.region.startswith(region.prefix, autoescape=True))
        async with db.connect() as conn:
            rows = (await conn.execute(query.limit(limit).offset(offset))).all()
            ids = [row.pair_id for row in rows]
            linked = (await conn.execute(select(members).where(members.c.pair_id.in_(ids))
                                         .order_by(members.c.member_id))).all() if ids else []
            names = await names_for(conn, keys, caller, [m.member_id for m in linked if m.role == "child"],
                                    [m.member_id for m in linked if m.role == "volunteer"])
        await log_named(request, caller, names)

        def of(pair_id: str, role: str) -> list[str]:
            return [m.member_id for m in linked if m.pair_id == pair_id and m.role == role]

        return {"region": region.code, "offset": offset, "proposals": [
            {"pair_id": row.pair_id, "mode": row.mode, "region": row.region,
             "children": [names.child({"child_id": c}) for c in of(row.pair_id, "child")],
             "volunteers": [names.volunteer({"volunteer_id": v}) for v in of(row.pair_id, "volunteer")]}
            for row in rows]}
