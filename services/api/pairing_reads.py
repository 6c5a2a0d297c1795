"""GET endpoints of the pairing work: the children of a subtree who wait for a pair (assessed or
not), and the score and reasons of the proposals awaiting approval. The children are named, with
their sex and age, to caseworkers and approvers only (services.api.names), every child so named
written to the access log; other roles get ids, places and tiers. Reasons name no one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter, Depends, Query, Request

from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.names import log_named, names_for
from services.api.scope import MAX_OFFSET, readable_region
from services.api.schemas import ProposalReasons, UnpairedChildren, read
from services.intake.domain import age_on
from services.pairing.matching.review import proposal_candidates
from services.projections.children_directory import child_particulars
from services.projections.matching_candidates.queries import proposals_in, proposals_of_children
from services.projections.matching_candidates.snapshot import proposal_snapshot
from services.projections.work_queues import unpaired

REASONS = "/regions/{code}/proposal-reasons"
router = APIRouter(tags=["matching"])


@router.get("/regions/{code}/unpaired-children", **read(UnpairedChildren))
async def unpaired_children(request: Request, code: str, db: Engine, keys: Keys,
                            limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
                            caller: Caller = Depends(signed_in)) -> dict:
    """Children still in the programme with no active pair, those with a risk tier first (red,
    orange, yellow, blue), then those not yet assessed; the longest registered first within each.
    `proposed_in`: the proposals awaiting approval that name the child."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        total, rows = await unpaired(conn, region, limit, offset)
        ids = [row["child_id"] for row in rows]
        waiting = await proposals_of_children(conn, ids)
        names = await names_for(conn, keys, caller, ids)
        particulars = await child_particulars(conn, names.children)  # only those she may see named
    await log_named(request, caller, names)
    today = _today()
    return {"region": region.code, "total": total, "offset": offset, "named": caller.sees_personal_data,
            "children": [_child(names.child(row, to="name"), waiting, particulars, today) for row in rows]}


def _child(row: dict, waiting: dict[str, list[str]], particulars: dict[str, tuple[str, date]], today: date) -> dict:
    found = {**row, "proposed_in": waiting.get(row["child_id"], [])}
    if row["child_id"] in particulars:
        sex, born = particulars[row["child_id"]]
        found.update(sex=sex, age=age_on(born, today))
    return found


@router.get(REASONS, **read(ProposalReasons))
async def proposal_reasons(code: str, db: Engine, limit: int = Query(100, ge=1, le=1000),
                           offset: int = Query(0, ge=0, le=MAX_OFFSET), caller: Caller = Depends(signed_in)) -> dict:
    """The proposals of GET /regions/{code}/proposals (the same page of them), each child-volunteer
    match with its score and reasons as the matching engine gave them when it was suggested."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        found = await proposals_in(conn, region, limit, offset)
        snapshot = await proposal_snapshot(conn, [p.pair_id for p in found], _today())
    return {"region": region.code, "offset": offset, "proposals": [
        {"pair_id": p.pair_id, "matches": [m.as_dict() for m in proposal_candidates(
            p.pair_id, list(p.children), list(p.volunteers), snapshot)]}
        for p in found]}


def _today() -> date:
    return datetime.now(UTC).date()
