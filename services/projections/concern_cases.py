"""Read model: the concerns of a region's children — which are open, who they were referred to, and
when each was last followed up, so that none is left without follow-up. Notes stay in the log,
sealed; nothing written about the child is copied here.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.projections.base import metadata
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent

cases = Table(
    "concern_cases", metadata,
    Column("concern_id", String(64), primary_key=True),
    Column("child_id", String(64), nullable=False),
    Column("region", String(12), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("raised_on", String(10), nullable=False),
    Column("referred_to", String(200), nullable=False),  # professional kinds, comma-separated
    Column("follow_ups", Integer, nullable=False),
    Column("last_step_on", String(10), nullable=False),
    Column("outcome", String(32)),  # set when closed
    Column("closed_on", String(10)),
)


class ConcernCases:
    name = "concern_cases"
    tables = (cases,)
    handles = frozenset({"ConcernRaised", "ConcernReferred", "ConcernFollowedUp", "ConcernClosed"})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        for stored in events:
            data, kind = stored.envelope.data, stored.envelope.event_type
            if kind == "ConcernRaised":
                await conn.execute(upsert(conn.dialect.name, cases).values(
                    concern_id=data["concern_id"], child_id=data["child_id"], region=data["region"],
                    kind=data["kind"], raised_on=data["raised_on"], referred_to="", follow_ups=0,
                    last_step_on=data["raised_on"]).on_conflict_do_nothing())
                continue
            row = (await conn.execute(select(cases).where(cases.c.concern_id == data["concern_id"]))).first()
            if row is None:
                continue
            await conn.execute(cases.update().where(cases.c.concern_id == row.concern_id)
                               .values(**_changes(kind, data, row)))


def _changes(kind: str, data: dict, row) -> dict:
    if kind == "ConcernReferred":
        referred = [p for p in row.referred_to.split(",") if p]
        return {"referred_to": ",".join(dict.fromkeys([*referred, data["professional"]])),
                "last_step_on": max(row.last_step_on, data["referred_on"])}
    if kind == "ConcernFollowedUp":
        return {"follow_ups": row.follow_ups + 1, "last_step_on": max(row.last_step_on, data["followed_up_on"])}
    return {"outcome": data["outcome"], "closed_on": data["closed_on"],
            "last_step_on": max(row.last_step_on, data["closed_on"])}


async def concerns_in(conn: AsyncConnection, region: Region, open_only: bool = True) -> list[dict]:
    """The longest-waiting first: the open concern last followed up longest ago leads."""
    query = select(cases).order_by(cases.c.last_step_on, cases.c.concern_id)
    if region.prefix:
        query = query.where(cases.c.region.startswith(region.prefix, autoescape=True))
    if open_only:
        query = query.where(cases.c.closed_on.is_(None))
    return [{"concern_id": r.concern_id, "child_id": r.child_id, "region": r.region, "kind": r.kind,
             "raised_on": r.raised_on, "referred_to": [p for p in r.referred_to.split(",") if p],
             "follow_ups": r.follow_ups, "last_step_on": r.last_step_on, "outcome": r.outcome,
             "closed_on": r.closed_on} for r in await conn.execute(query)]
