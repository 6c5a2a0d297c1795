"""GET endpoints of an office's work lists (services/projections/work_queues.py): the reminders
still open, the pairs whose contact is overdue, and the children at risk without a pair.

The reminders may be asked for one rule, the children at risk for one tier (the dashboard's filters).
Each is read within the caller's subtree, as the region endpoints are; children and volunteers are
named only for roles that see personal data, and every child so named is written to the access log
(services.api.names)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Query, Request

from contracts.activity.concerns import RiskTier
from contracts.regions import Region
from contracts.activity.reminders import ReminderRule
from services.activity.care.cadence import profile_for
from services.api.auth import Caller, signed_in
from services.api.deps import Engine, Keys
from services.api.names import log_named, names_for
from services.api.scope import MAX_OFFSET, readable_region
from services.api.schemas import WorkQueue, read
from services.projections.matching_candidates.queries import volunteers_of
from services.projections.work_queues import open_reminders, overdue_contacts, unpaired_at_risk

Limit = Query(100, ge=1, le=10_000)
Offset = Query(0, ge=0, le=MAX_OFFSET)
router = APIRouter(prefix="/regions/{code}/queues", tags=["work lists"])


@router.get("/reminders", **read(WorkQueue))
async def reminders(request: Request, code: str, db: Engine, keys: Keys, limit: int = Limit, offset: int = Offset,
                    rule: ReminderRule | None = Query(None, description="only the reminders of this rule"),
                    caller: Caller = Depends(signed_in)) -> dict:
    """Reminders raised and not yet resolved, the longest due first."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        found = await open_reminders(conn, region, _today())
        if rule is not None:
            found = [r for r in found if r["rule"] == rule.value]
        return await _answer(request, conn, keys, caller, region, "reminders", found, limit, offset)


@router.get("/overdue-contacts", **read(WorkQueue))
async def overdue(request: Request, code: str, db: Engine, keys: Keys, limit: int = Limit, offset: int = Offset,
                  caller: Caller = Depends(signed_in)) -> dict:
    """Active pairs without contact for longer than their region's cadence allows, the longest overdue first."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        found = await overdue_contacts(conn, region, _today(), _patience)
        return await _answer(request, conn, keys, caller, region, "pairs", found, limit, offset)


@router.get("/unpaired-at-risk", **read(WorkQueue))
async def at_risk(request: Request, code: str, db: Engine, keys: Keys, limit: int = Limit, offset: int = Offset,
                  tier: RiskTier | None = Query(None, description="only the children of this tier"),
                  caller: Caller = Depends(signed_in)) -> dict:
    """Children with a risk tier and no active pair: red first, then orange, yellow, blue; the
    longest registered first within a tier."""
    region = readable_region(caller, code)
    async with db.connect() as conn:
        if tier is None:
            total, rows = await unpaired_at_risk(conn, region, limit, offset)
        else:  # the read model pages every tier together: the tier's rows are cut from the whole list
            _all, every = await unpaired_at_risk(conn, region, MAX_OFFSET, 0)
            found = [r for r in every if r["tier"] == tier.value]
            total, rows = len(found), found[offset:offset + limit]
        names = await names_for(conn, keys, caller, (r["child_id"] for r in rows))
    await log_named(request, caller, names)
    return {"region": region.code, "total": total, "offset": offset,
            "children": [names.child(r, to="name") for r in rows]}


async def _answer(request: Request, conn, keys, caller: Caller, region: Region, key: str, found: list[dict],
                  limit: int, offset: int) -> dict:
    page = found[offset:offset + limit]
    pair_ids = [r["pair_id"] for r in page if r.get("pair_id")]
    volunteers = await volunteers_of(conn, pair_ids)
    names = await names_for(conn, keys, caller, (c for r in page for c in r["child_ids"]),
                            (v for vs in volunteers.values() for v in vs))
    await log_named(request, caller, names)
    rows = [{**r, "children": [names.child({"child_id": c}, to="name") for c in r["child_ids"]],
             "volunteers": [names.volunteer({"volunteer_id": v}, to="name")
                            for v in volunteers.get(r.get("pair_id"), [])]} for r in page]
    return {"region": region.code, "total": len(found), "offset": offset, key: rows}


def _patience(region: str) -> int:
    return profile_for(region).contact_overdue_days


def _today():
    return datetime.now(UTC).date()
