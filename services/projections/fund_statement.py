"""Read model: a fund's statement — every donation in, every allocation out, every release back, in
log order, each line with the balance after it.

The balance here is for reading only; the rule that it never falls below zero is kept by the fund's
own history (services.activity.giving.funds), which this statement agrees with by construction.

An organisation's name is kept here as it is; a person donor's only sealed, opened when the statement
is read for someone who may see personal data (a key store is passed), so her erasure reaches it.
"""

from __future__ import annotations

import functools

from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity.giving import (DonationReceived, DonorRegistered, FundAllocated,
                                       FundAllocationReleased, FundOpened)
from contracts.business_days import day_of_event
from contracts.money import yuan
from services.projections.batch_rows import Rows
from services.shared.db import RowsToWrite, insert_if_absent
from services.shared.eventlog import StoredEvent
from services.shared.privacy import KeyStore
from services.shared.sealed_text import text_of
from services.shared.follower.projection import metadata

funds = Table(
    "fund_statement_funds", metadata,
    Column("fund_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False),
    Column("name", String(100), nullable=False),
    Column("opened_on", String(10), nullable=False),
    Column("received_fen", BigInteger, nullable=False),
    Column("allocated_fen", BigInteger, nullable=False),
    Column("released_fen", BigInteger, nullable=False),
    Column("lines", Integer, nullable=False),
)
lines = Table(
    "fund_statement_lines", metadata,
    Column("fund_id", String(64), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),  # donation, allocation, release
    Column("reference", String(64), nullable=False),  # the donation's or allocation's id
    Column("party_kind", String(16), nullable=False),  # enterprise/volunteer in, wish/gift_pack out
    Column("party_id", String(64), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),  # signed: money in is positive
    Column("balance_fen", BigInteger, nullable=False),
    Column("booked_on", String(10), nullable=False),
    Column("recorded_by", String(64), nullable=False),
)
donor_names = Table(
    "fund_statement_donors", metadata,
    Column("donor_id", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
)
donor_people = Table(
    "fund_statement_donor_people", metadata,
    Column("donor_id", String(64), primary_key=True),
    Column("personal", JSON, nullable=False),  # the sealed {name}, never the name itself
)
TOTALS = {"donation": "received_fen", "allocation": "allocated_fen", "release": "released_fen"}


class _Batch:
    """The funds a batch's events book to, read before them and changed in memory in their order
    (batch_rows.py), so that each line's balance follows from the line before, within a batch as
    across batches; the lines and donors, never read within a batch, held back and written at its
    end; and the party of every allocation a release in the batch names."""

    def __init__(self, dialect: str) -> None:
        self.funds = Rows(funds, ("received_fen", "allocated_fen", "released_fen", "lines"))
        self.added, self.dialect = RowsToWrite(), dialect
        self.allocated: dict[tuple[str, str], tuple[str, str]] = {}  # (fund, allocation) -> party

    async def read(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        await self.funds.read(conn, "fund_id", (s.envelope.aggregate_id for s in events if type(s.event) in BOOKS))
        released = sorted({s.event.allocation_id for s in events if isinstance(s.event, FundAllocationReleased)})
        for start in range(0, len(released), CHUNK):
            line = lines.c
            query = select(line.fund_id, line.reference, line.party_kind, line.party_id).where(
                line.kind == "allocation", line.reference.in_(released[start:start + CHUNK]))
            for found in await conn.execute(query):
                self.allocated.setdefault((found.fund_id, found.reference), (found.party_kind, found.party_id))

    async def write(self, conn: AsyncConnection) -> None:
        await self.funds.write(conn)
        await self.added.flush(conn)


def _donor_registered(batch: _Batch, event: DonorRegistered, stored: StoredEvent) -> None:
    if event.personal is not None:
        row, table = {"personal": event.personal.model_dump()}, donor_people
    else:
        row, table = {"name": event.name or ""}, donor_names
    batch.added.add(insert_if_absent(batch.dialect, table), {"donor_id": event.donor_id, **row})


def _opened(batch: _Batch, event: FundOpened, stored: StoredEvent) -> None:
    batch.funds.add(dict(
        fund_id=event.fund_id, region=event.region, name=event.name,
        opened_on=day_of_event(event, stored.envelope.occurred_at.date()).isoformat(), received_fen=0, allocated_fen=0,
        released_fen=0, lines=0))


def _received(batch: _Batch, event: DonationReceived, stored: StoredEvent) -> None:
    _book(batch, stored, "donation", event.donation_id, event.donor_kind.value, event.donor_id,
          event.amount_fen, event.received_on.isoformat())


def _allocated(batch: _Batch, event: FundAllocated, stored: StoredEvent) -> None:
    _book(batch, stored, "allocation", event.allocation_id, event.target.value, event.target_id,
          -event.amount_fen, event.allocated_on and event.allocated_on.isoformat())


def _released(batch: _Batch, event: FundAllocationReleased, stored: StoredEvent) -> None:
    # The release names only the allocation: its party is the one the allocation line was booked to.
    party = batch.allocated.get((event.fund_id, event.allocation_id), ("unknown", ""))
    _book(batch, stored, "release", event.allocation_id, *party, event.amount_fen,
          event.released_on and event.released_on.isoformat())


def _book(batch: _Batch, stored: StoredEvent, kind: str, reference: str, party_kind: str,
          party_id: str, amount_fen: int, booked_on: str | None = None) -> None:
    envelope = stored.envelope
    fund_id = envelope.aggregate_id
    fund = batch.funds.get(fund_id)
    if fund is None:  # the log stores a fund's opening first; nothing else can be booked without it
        return
    balance = fund["received_fen"] - fund["allocated_fen"] + fund["released_fen"] + amount_fen
    batch.added.add(_line_insert(), dict(
        fund_id=fund_id, line=fund["lines"] + 1, seq=stored.seq, kind=kind, reference=reference,
        party_kind=party_kind, party_id=party_id, amount_fen=amount_fen, balance_fen=balance,
        booked_on=booked_on or envelope.occurred_at.date().isoformat(),
        recorded_by=envelope.actor.operator_id))
    if kind == "allocation":
        batch.allocated.setdefault((fund_id, reference), (party_kind, party_id))
    total = TOTALS[kind]
    batch.funds.set(fund_id, **{total: fund[total] + abs(amount_fen), "lines": fund["lines"] + 1})


@functools.cache
def _line_insert():
    return lines.insert()  # a plain INSERT: a line is booked once, as the checkpoint guarantees


APPLY = {DonorRegistered: _donor_registered, FundOpened: _opened, DonationReceived: _received,
         FundAllocated: _allocated, FundAllocationReleased: _released}
BOOKS = (FundOpened, DonationReceived, FundAllocated, FundAllocationReleased)
CHUNK = 500


class FundStatement:
    name = "fund_statement"
    tables = (funds, lines, donor_names, donor_people)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        batch = _Batch(conn.dialect.name)
        await batch.read(conn, events)
        for stored in events:  # in order: each line's balance follows from the line before
            APPLY[type(stored.event)](batch, stored.event, stored)
        await batch.write(conn)


async def fund_statement(conn: AsyncConnection, fund_id: str, keys: KeyStore | None = None) -> dict | None:
    """`keys`: for a reader who may see personal data, the key store that opens a person donor's
    name; without it her name is None (an organisation's is always shown)."""
    fund = (await conn.execute(select(funds).where(funds.c.fund_id == fund_id))).first()
    if fund is None:
        return None
    registered = lines.c.party_kind == "enterprise"  # a donor registered with RegisterDonor
    query = (select(lines, donor_names.c.name, donor_people.c.personal)
             .outerjoin(donor_names, registered & (lines.c.party_id == donor_names.c.donor_id))
             .outerjoin(donor_people, registered & (lines.c.party_id == donor_people.c.donor_id))
             .where(lines.c.fund_id == fund_id).order_by(lines.c.line))
    rows = (await conn.execute(query)).all()
    names = {r.line: r.name if r.personal is None or keys is None else await text_of(keys, r.personal, "name")
             for r in rows}
    balance = fund.received_fen - fund.allocated_fen + fund.released_fen
    return {
        "fund_id": fund.fund_id, "name": fund.name, "region": fund.region, "opened_on": fund.opened_on,
        "received_fen": fund.received_fen, "allocated_fen": fund.allocated_fen,
        "released_fen": fund.released_fen, "balance_fen": balance, "balance_yuan": yuan(balance),
        "lines": [{"line": r.line, "seq": r.seq, "kind": r.kind, "reference": r.reference,
                   "party_kind": r.party_kind, "party_id": r.party_id, "party_name": names[r.line],
                   "amount_fen": r.amount_fen, "amount_yuan": yuan(r.amount_fen),
                   "balance_fen": r.balance_fen, "booked_on": r.booked_on, "recorded_by": r.recorded_by}
                  for r in rows],
    }
