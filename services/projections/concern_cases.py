"""Read model: the concerns of a region's children — which are open, who they were referred to, and
when each was last followed up, so that none is left without follow-up. Notes stay in the log,
sealed; nothing written about the child is copied here.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.concerns import ConcernClosed, ConcernFollowedUp, ConcernRaised, ConcernReferred
from contracts.regions import Region
from services.shared.follower.projection import metadata
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


async def _raised(conn: AsyncConnection, event: ConcernRaised) -> None:
    raised_on = event.raised_on.isoformat()
    await conn.execute(upsert(conn.dialect.name, cases).values(
        concern_id=event.concern_id, child_id=event.child_id, region=event.region, kind=event.kind.value,
        raised_on=raised_on, referred_to="", follow_ups=0, last_step_on=raised_on).on_conflict_do_nothing())


# Days are kept as ISO text, so the latest step is the greatest string.
async def _referred(conn: AsyncConnection, event: ConcernReferred) -> None:
    if (row := await _case(conn, event.concern_id)) is not None:
        referred = [p for p in row.referred_to.split(",") if p]
        await _update(conn, row, referred_to=",".join(dict.fromkeys([*referred, event.professional.value])),
                      last_step_on=max(row.last_step_on, event.referred_on.isoformat()))


async def _followed_up(conn: AsyncConnection, event: ConcernFollowedUp) -> None:
    if (row := await _case(conn, event.concern_id)) is not None:
        await _update(conn, row, follow_ups=row.follow_ups + 1,
                      last_step_on=max(row.last_step_on, event.followed_up_on.isoformat()))


async def _closed(conn: AsyncConnection, event: ConcernClosed) -> None:
    if (row := await _case(conn, event.concern_id)) is not None:
        closed_on = event.closed_on.isoformat()
        await _update(conn, row, outcome=event.outcome.value, closed_on=closed_on,
                      last_step_on=max(row.last_step_on, closed_on))


async def _case(conn: AsyncConnection, concern_id: str):
    # A step on a concern this model never saw raised (not in the log it was built from) is skipped.
    return (await conn.execute(select(cases).where(cases.c.concern_id == concern_id))).first()


async def _update(conn: AsyncConnection, row, **values) -> None:
    await conn.execute(cases.update().where(cases.c.concern_id == row.concern_id).values(**values))


APPLY = {ConcernRaised: _raised, ConcernReferred: _referred, ConcernFollowedUp: _followed_up,
         ConcernClosed: _closed}


class ConcernCases:
    name = "concern_cases"
    tables = (cases,)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        for stored in events:
            await APPLY[type(stored.event)](conn, stored.event)


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
