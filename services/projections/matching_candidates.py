"""Read model: who may be matched with whom — each child's and volunteer's standing as the matching
engine needs it, and which pairs (and proposals) link them. Queries: matching_snapshot.py."""

from __future__ import annotations

import functools

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.child_file import (ChildExited, ChildNeedsSurveyed, ChildPlaceCompleted, ChildRiskAssessed,
                                  ChildTransferredIn,
                                  ConsentScope, GuardianConsentGiven, GuardianConsentWithdrawn)
from contracts.intake import ChildRegistered, VolunteerRecruited
from contracts.matching import PairProposalWithdrawn, PairProposed, PairRejected
from contracts.pairing import PairEnded, PairFormed, VolunteerJoinedPair, VolunteerLeftPair, children_counted
from contracts.volunteers import VolunteerTrained, VolunteerWithdrew
from services.shared.follower.projection import metadata
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


async def _child_arrived(conn: AsyncConnection, arrivals: RowsToWrite, event) -> None:
    arrivals.add(_arrival(conn.dialect.name), dict(
        child_id=event.child_id, region=event.region, sex=event.sex.value, birth_date=event.birth_date,
        needs=[], consent=False, exited=False))


async def _volunteer_arrived(conn: AsyncConnection, arrivals: RowsToWrite, event: VolunteerRecruited) -> None:
    arrivals.add(insert_if_absent(conn.dialect.name, volunteers), dict(
        volunteer_id=event.volunteer_id, region=event.region, sex=event.sex.value, kind=event.kind.value,
        specialties=list(event.specialties), capacity=event.capacity, load=0, trained_topics=[],
        withdrawn=False))


@functools.cache
def _arrival(dialect: str):
    """A child registered, or moved in: its row, or its new region (built once; see insert_if_absent)."""
    statement = upsert(dialect, children)
    return statement.on_conflict_do_update(index_elements=["child_id"], set_={"region": statement.excluded.region})


def _after_arrivals(change):
    """Any other event: it may read or update rows of arrivals earlier in the batch, so they are
    written first."""
    async def apply(conn: AsyncConnection, arrivals: RowsToWrite, event) -> None:
        await arrivals.flush(conn)
        await change(conn, event)
    return apply


def _child(values):
    """A change to the child's row, to the values `values(event)` gives."""
    async def change(conn: AsyncConnection, event) -> None:
        if changed := values(event):  # an UPDATE with nothing to set is refused by the database
            await conn.execute(update(children).where(children.c.child_id == event.child_id).values(**changed))
    return _after_arrivals(change)


def _consent(given: bool):
    # Only consent to pairing matters here; consent to photos alone changes nothing of matching.
    return _child(lambda e: {"consent": given} if ConsentScope.pairing in e.scopes else {})


def _volunteer(values):
    """A change to the volunteer's row, to the values `values(event)` gives."""
    async def change(conn: AsyncConnection, event) -> None:
        await conn.execute(update(volunteers).where(volunteers.c.volunteer_id == event.volunteer_id)
                           .values(**values(event)))
    return _after_arrivals(change)


async def _trained(conn: AsyncConnection, event: VolunteerTrained) -> None:
    row = volunteers.c
    topics = (await conn.execute(select(row.trained_topics).where(row.volunteer_id == event.volunteer_id))).scalar()
    if topics is not None and event.topic.value not in topics:
        await conn.execute(update(volunteers).where(row.volunteer_id == event.volunteer_id)
                           .values(trained_topics=sorted([*topics, event.topic.value])))


def _load(sign: int):
    return _volunteer(lambda e: {"load": volunteers.c.load + sign * e.children})


def _pair_stands(status: str):
    """A pair proposed or formed, with its members."""
    async def stands(conn: AsyncConnection, event) -> None:
        statement = upsert(conn.dialect.name, pairs).values(
            pair_id=event.pair_id, mode=event.mode.value, region=event.region, status=status,
            load=children_counted(event.mode, len(event.child_ids)))
        await conn.execute(statement.on_conflict_do_update(index_elements=["pair_id"],
                                                           set_={"status": status, "region": event.region}))
        rows = [{"pair_id": event.pair_id, "role": "child", "member_id": c} for c in event.child_ids]
        rows += [{"pair_id": event.pair_id, "role": "volunteer", "member_id": v} for v in event.volunteer_ids]
        await conn.execute(upsert(conn.dialect.name, members).values(rows).on_conflict_do_nothing())
    return _after_arrivals(stands)


def _pair_closed(status: str):
    """A pair ended, or a proposal rejected or withdrawn: why, in `end_reason`."""
    async def closed(conn: AsyncConnection, event) -> None:
        await conn.execute(update(pairs).where(pairs.c.pair_id == event.pair_id)
                           .values(status=status, end_reason=event.reason.value))
    return _after_arrivals(closed)


APPLY = {
    ChildRegistered: _child_arrived,
    ChildTransferredIn: _child_arrived,
    ChildPlaceCompleted: _child(lambda e: {"region": e.region}),
    VolunteerRecruited: _volunteer_arrived,
    ChildNeedsSurveyed: _child(lambda e: {"needs": [n.value for n in e.needs]}),
    ChildRiskAssessed: _child(lambda e: {"tier": e.tier.value}),
    ChildExited: _child(lambda e: {"exited": True}),
    GuardianConsentGiven: _consent(True),
    GuardianConsentWithdrawn: _consent(False),
    VolunteerTrained: _after_arrivals(_trained),
    VolunteerWithdrew: _volunteer(lambda e: {"withdrawn": True}),
    VolunteerJoinedPair: _load(1),
    VolunteerLeftPair: _load(-1),
    PairProposed: _pair_stands("proposed"),
    PairFormed: _pair_stands("active"),
    PairEnded: _pair_closed("ended"),
    PairRejected: _pair_closed("rejected"),
    PairProposalWithdrawn: _pair_closed("withdrawn"),
}


class MatchingCandidates:
    name = "matching_candidates"
    tables = (children, volunteers, pairs, members)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        arrivals = RowsToWrite()  # new children and volunteers, written before anything reads them
        for stored in events:
            await APPLY[type(stored.event)](conn, arrivals, stored.event)
        await arrivals.flush(conn)
