"""Read model: who may be matched with whom — each child's and volunteer's standing as the matching
engine needs it, and which pairs (and proposals) link them. Queries: snapshot.py."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.intake.child_file import (ChildExited, ChildNeedsSurveyed, ChildPlaceCompleted,
                                         ChildTransferredIn, ConsentScope, GuardianConsentGiven,
                                         GuardianConsentWithdrawn)
from contracts.activity.concerns import ChildRiskAssessed
from contracts.intake.registration import ChildRegistered, VolunteerRecruited
from contracts.pairing.matching import PairProposalWithdrawn, PairProposed, PairRejected
from contracts.pairing.pairs import (PairEnded, PairFormed, VolunteerJoinedPair, VolunteerLeftPair,
                                     children_counted)
from contracts.intake.volunteers import VolunteerTrained, VolunteerWithdrew
from services.projections.batch_rows import Rows
from services.shared.follower.projection import metadata
from services.shared.db import RowsToWrite, insert_if_absent
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


class _Batch:
    """The rows a batch's events touch, read before them and written back after them (see
    batch_rows.py); the members of pairs, only ever added and never read here, written at its end."""

    def __init__(self, dialect: str) -> None:
        self.children = Rows(children, ("region", "tier", "needs", "consent", "exited"))
        self.volunteers = Rows(volunteers, ("load", "trained_topics", "withdrawn"))
        self.pairs = Rows(pairs, ("status", "region", "end_reason"))
        self.members, self.dialect = RowsToWrite(), dialect

    async def read(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        ids: dict[str, set[str]] = defaultdict(set)
        for stored in events:  # one pass, by the event's class (three passes cost a rebuild 6%)
            column = READS[type(stored.event)]
            ids[column].add(getattr(stored.event, column))
        for rows, column in ((self.children, "child_id"), (self.volunteers, "volunteer_id"), (self.pairs, "pair_id")):
            await rows.read(conn, column, ids[column])

    async def write(self, conn: AsyncConnection) -> None:
        for rows in (self.children, self.volunteers, self.pairs):
            await rows.write(conn)
        await self.members.flush(conn)


def _child_arrived(batch: _Batch, event) -> None:
    """A child registered, or moved in: its row, or its new region."""
    if not batch.children.set(event.child_id, region=event.region):
        batch.children.add(dict(child_id=event.child_id, region=event.region, sex=event.sex.value,
                                birth_date=event.birth_date, tier=None, needs=[], consent=False, exited=False))


def _volunteer_arrived(batch: _Batch, event: VolunteerRecruited) -> None:
    batch.volunteers.add(dict(  # recruited twice (a replayed list): the first row stands
        volunteer_id=event.volunteer_id, region=event.region, sex=event.sex.value, kind=event.kind.value,
        specialties=list(event.specialties), capacity=event.capacity, load=0, trained_topics=[],
        withdrawn=False))


def _child(values):
    """A change to the child's row (if it has one), to the values `values(event)` gives."""
    def change(batch: _Batch, event) -> None:
        batch.children.set(event.child_id, **values(event))
    return change


def _consent(given: bool):
    # Only consent to pairing matters here; consent to photos alone changes nothing of matching.
    return _child(lambda e: {"consent": given} if ConsentScope.pairing in e.scopes else {})


def _volunteer(values):
    """A change to the volunteer's row (if she has one), to the values `values(event, row)` gives."""
    def change(batch: _Batch, event) -> None:
        if (row := batch.volunteers.get(event.volunteer_id)) is not None:
            batch.volunteers.set(event.volunteer_id, **values(event, row))
    return change


def _trained(event: VolunteerTrained, row: dict) -> dict:
    topics = row["trained_topics"]
    return {} if event.topic.value in topics else {"trained_topics": sorted([*topics, event.topic.value])}


def _load(sign: int):
    return _volunteer(lambda e, row: {"load": row["load"] + sign * e.children})


def _pair_stands(status: str):
    """A pair proposed or formed, with its members; a pair already on file takes the new status and
    region and keeps the rest."""
    def stands(batch: _Batch, event) -> None:
        if not batch.pairs.set(event.pair_id, status=status, region=event.region):
            batch.pairs.add(dict(pair_id=event.pair_id, mode=event.mode.value, region=event.region,
                                 status=status, load=children_counted(event.mode, len(event.child_ids)),
                                 end_reason=None))
        statement = insert_if_absent(batch.dialect, members)
        for role, ids in (("child", event.child_ids), ("volunteer", event.volunteer_ids)):
            for member in ids:
                batch.members.add(statement, {"pair_id": event.pair_id, "role": role, "member_id": member})
    return stands


def _pair_closed(status: str):
    """A pair ended, or a proposal rejected or withdrawn: why, in `end_reason`."""
    def closed(batch: _Batch, event) -> None:
        batch.pairs.set(event.pair_id, status=status, end_reason=event.reason.value)
    return closed


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
    VolunteerTrained: _volunteer(_trained),
    VolunteerWithdrew: _volunteer(lambda e, row: {"withdrawn": True}),
    VolunteerJoinedPair: _load(1),
    VolunteerLeftPair: _load(-1),
    PairProposed: _pair_stands("proposed"),
    PairFormed: _pair_stands("active"),
    PairEnded: _pair_closed("ended"),
    PairRejected: _pair_closed("rejected"),
    PairProposalWithdrawn: _pair_closed("withdrawn"),
}
CHILD_EVENTS = (ChildRegistered, ChildTransferredIn, ChildPlaceCompleted, ChildNeedsSurveyed, ChildRiskAssessed,
                ChildExited, GuardianConsentGiven, GuardianConsentWithdrawn)
VOLUNTEER_EVENTS = (VolunteerRecruited, VolunteerTrained, VolunteerWithdrew, VolunteerJoinedPair, VolunteerLeftPair)
PAIR_EVENTS = (PairProposed, PairFormed, PairEnded, PairRejected, PairProposalWithdrawn)
# Each event reads the row of one child, volunteer or pair: the id's field, by the event's class.
READS = {**dict.fromkeys(CHILD_EVENTS, "child_id"), **dict.fromkeys(VOLUNTEER_EVENTS, "volunteer_id"),
         **dict.fromkeys(PAIR_EVENTS, "pair_id")}
assert set(READS) == set(APPLY), "every event the model handles reads one row"


class MatchingCandidates:
    name = "matching_candidates"
    tables = (children, volunteers, pairs, members)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        batch = _Batch(conn.dialect.name)
        await batch.read(conn, events)
        for stored in events:
            APPLY[type(stored.event)](batch, stored.event)
        await batch.write(conn)
