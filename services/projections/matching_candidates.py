"""Read model: who may be matched with whom — each child's and volunteer's standing as the matching
engine needs it, and which pairs (and proposals) link them. Queries: matching_snapshot.py."""

from __future__ import annotations

import functools

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.pairing.rules import children_counted
from services.projections.base import metadata
from services.shared.db import RowsToWrite, insert_if_absent, upsert
from services.shared.eventlog import StoredEvent

children = Table(
    "matching_children", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("sex", String(8), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("tier", String(8)),
    Column("needs", JSON, nullable=False),
    Column("consent", Boolean, nullable=False),
    Column("exited", Boolean, nullable=False),
)
volunteers = Table(
    "matching_volunteers", metadata,
    Column("volunteer_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("sex", String(8), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("specialties", JSON, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("load", Integer, nullable=False),
    Column("trained_topics", JSON, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
)
pairs = Table(
    "matching_pairs", metadata,
    Column("pair_id", String(64), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("region", String(12), nullable=False),
    Column("status", String(16), nullable=False),  # proposed, active, ended, rejected, withdrawn
    Column("load", Integer, nullable=False),  # children it counts in each volunteer's care
    Column("end_reason", String(32)),
)
members = Table(
    "matching_members", metadata,
    Column("pair_id", String(64), primary_key=True),
    Column("role", String(9), primary_key=True),  # child or volunteer
    Column("member_id", String(64), primary_key=True, index=True),
)
STATUS_AFTER = {"PairEnded": "ended", "PairRejected": "rejected", "PairProposalWithdrawn": "withdrawn"}


class MatchingCandidates:
    name = "matching_candidates"
    tables = (children, volunteers, pairs, members)
    handles = frozenset({"ChildRegistered", "ChildTransferredIn", "ChildNeedsSurveyed", "ChildRiskAssessed",
                         "GuardianConsentGiven", "GuardianConsentWithdrawn", "ChildExited",
                         "VolunteerRecruited", "VolunteerTrained", "VolunteerWithdrew",
                         "VolunteerJoinedPair", "VolunteerLeftPair", "PairProposed", "PairFormed",
                         *STATUS_AFTER})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        arrivals = RowsToWrite()  # new children and volunteers, written before anything reads them
        for stored in events:
            kind, event = stored.envelope.event_type, stored.envelope.event()
            if kind in ("ChildRegistered", "ChildTransferredIn"):
                arrivals.add(_arrival(conn.dialect.name), _child_row(event))
                continue
            if kind == "VolunteerRecruited":
                arrivals.add(insert_if_absent(conn.dialect.name, volunteers), dict(
                    volunteer_id=event.volunteer_id, region=event.region, sex=event.sex.value,
                    kind=event.kind.value, specialties=list(event.specialties), capacity=event.capacity,
                    load=0, trained_topics=[], withdrawn=False))
                continue
            await arrivals.flush(conn)
            if kind.startswith(("Child", "Guardian")):
                await conn.execute(update(children).where(children.c.child_id == event.child_id)
                                   .values(**_child_change(kind, event)))
            elif kind.startswith("Volunteer"):
                await _volunteer_changed(conn, kind, event)
            elif kind in ("PairProposed", "PairFormed"):
                await _pair_stands(conn, event, "proposed" if kind == "PairProposed" else "active")
            else:
                await conn.execute(update(pairs).where(pairs.c.pair_id == event.pair_id).values(
                    status=STATUS_AFTER[kind], end_reason=getattr(event, "reason", None)))
        await arrivals.flush(conn)


def _child_row(event) -> dict:
    return dict(child_id=event.child_id, region=event.region, sex=event.sex.value,
                birth_date=event.birth_date, needs=[], consent=False, exited=False)


@functools.cache
def _arrival(dialect: str):
    """A child registered, or moved in: its row, or its new region (built once; see insert_if_absent)."""
    statement = upsert(dialect, children)
    return statement.on_conflict_do_update(index_elements=["child_id"], set_={"region": statement.excluded.region})


def _child_change(kind: str, event) -> dict:
    if kind == "ChildNeedsSurveyed":
        return {"needs": [n.value for n in event.needs]}
    if kind == "ChildRiskAssessed":
        return {"tier": event.tier.value}
    if kind == "ChildExited":
        return {"exited": True}
    if "pairing" not in event.scopes:
        return {}
    return {"consent": kind == "GuardianConsentGiven"}


async def _volunteer_changed(conn: AsyncConnection, kind: str, event) -> None:
    row = volunteers.c
    where = update(volunteers).where(row.volunteer_id == event.volunteer_id)
    if kind == "VolunteerTrained":
        query = select(row.trained_topics).where(row.volunteer_id == event.volunteer_id)
        topics = (await conn.execute(query)).scalar()
        if topics is not None and event.topic.value not in topics:
            await conn.execute(where.values(trained_topics=sorted([*topics, event.topic.value])))
    elif kind == "VolunteerWithdrew":
        await conn.execute(where.values(withdrawn=True))
    else:
        step = event.children if kind == "VolunteerJoinedPair" else -event.children
        await conn.execute(where.values(load=row.load + step))


async def _pair_stands(conn: AsyncConnection, event, status: str) -> None:
    statement = upsert(conn.dialect.name, pairs).values(
        pair_id=event.pair_id, mode=event.mode.value, region=event.region, status=status,
        load=children_counted(event.mode, len(event.child_ids)))
    await conn.execute(statement.on_conflict_do_update(index_elements=["pair_id"],
                                                       set_={"status": status, "region": event.region}))
    rows = [{"pair_id": event.pair_id, "role": "child", "member_id": c} for c in event.child_ids]
    rows += [{"pair_id": event.pair_id, "role": "volunteer", "member_id": v} for v in event.volunteer_ids]
    await conn.execute(upsert(conn.dialect.name, members).values(rows).on_conflict_do_nothing())
