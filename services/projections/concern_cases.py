"""Read model: the concerns of a region's children — which are open, who they were referred to, and
when each was last followed up, so that none is left without follow-up. Notes stay in the log,
sealed; nothing written about the child is copied here.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity.concerns import ConcernClosed, ConcernFollowedUp, ConcernRaised, ConcernReferred
from contracts.regions import Region
from services.projections.batch_rows import Rows
from services.shared.follower.projection import metadata
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


# Every handler gets the batch's rows (read before its events, changed in memory in their order,
# written back at its end: see batch_rows.py) and the event.
def _raised(rows: Rows, event: ConcernRaised) -> None:
    raised_on = event.raised_on.isoformat()
    rows.add(dict(concern_id=event.concern_id, child_id=event.child_id, region=event.region, kind=event.kind.value,
                  raised_on=raised_on, referred_to="", follow_ups=0, last_step_on=raised_on, outcome=None,
                  closed_on=None))


# Days are kept as ISO text, so the latest step is the greatest string.
def _referred(rows: Rows, row: dict, event: ConcernReferred) -> dict:
    referred = [p for p in row["referred_to"].split(",") if p]
    return dict(referred_to=",".join(dict.fromkeys([*referred, event.professional.value])),
                last_step_on=max(row["last_step_on"], event.referred_on.isoformat()))


def _followed_up(rows: Rows, row: dict, event: ConcernFollowedUp) -> dict:
    return dict(follow_ups=row["follow_ups"] + 1, last_step_on=max(row["last_step_on"], event.followed_up_on.isoformat()))


def _closed(rows: Rows, row: dict, event: ConcernClosed) -> dict:
    closed_on = event.closed_on.isoformat()
    return dict(outcome=event.outcome.value, closed_on=closed_on, last_step_on=max(row["last_step_on"], closed_on))


def _step(change):
    """A step on a concern: its row changes as `change(rows, row, event)` says. A step on a concern
    this model never saw raised (not in the log it was built from) is skipped."""
    def step(rows: Rows, event) -> None:
        if (row := rows.get(event.concern_id)) is not None:
            rows.set(event.concern_id, **change(rows, row, event))
    return step


APPLY = {ConcernRaised: _raised, ConcernReferred: _step(_referred), ConcernFollowedUp: _step(_followed_up),
         ConcernClosed: _step(_closed)}
CHANGING = ("referred_to", "follow_ups", "last_step_on", "outcome", "closed_on")  # what steps change


class ConcernCases:
    name = "concern_cases"
    tables = (cases,)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        rows = Rows(cases, CHANGING)
        await rows.read(conn, "concern_id", (stored.event.concern_id for stored in events))
        for stored in events:
            APPLY[type(stored.event)](rows, stored.event)
        await rows.write(conn)


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
