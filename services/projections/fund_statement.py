"""Read model: a fund's statement — every donation in, every allocation out, every release back, in
log order, each line with the balance after it.

The balance here is for reading only; the rule that it never falls below zero is kept by the fund's
own history (services.activity.funds), which this statement agrees with by construction.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.activity.funds import yuan
from services.projections.base import metadata
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent

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
TOTALS = {"donation": "received_fen", "allocation": "allocated_fen", "release": "released_fen"}


class FundStatement:
    name = "fund_statement"
    tables = (funds, lines, donor_names)
    handles = frozenset({"DonorRegistered", "FundOpened", "DonationReceived", "FundAllocated",
                         "FundAllocationReleased"})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        for stored in events:
            envelope, data = stored.envelope, stored.envelope.data
            kind = envelope.event_type
            if kind == "DonorRegistered":
                await conn.execute(upsert(conn.dialect.name, donor_names)
                                   .values(donor_id=data["donor_id"], name=data["name"]).on_conflict_do_nothing())
            elif kind == "FundOpened":
                await conn.execute(upsert(conn.dialect.name, funds).values(
                    fund_id=data["fund_id"], region=data["region"], name=data["name"],
                    opened_on=envelope.occurred_at.date().isoformat(), received_fen=0, allocated_fen=0,
                    released_fen=0, lines=0).on_conflict_do_nothing())
            elif kind == "DonationReceived":
                await _book(conn, stored, "donation", data["donation_id"], data["donor_kind"], data["donor_id"],
                            data["amount_fen"], data["received_on"])
            elif kind == "FundAllocated":
                await _book(conn, stored, "allocation", data["allocation_id"], data["target"], data["target_id"],
                            -data["amount_fen"])
            else:
                await _book_release(conn, stored)


async def _book_release(conn: AsyncConnection, stored: StoredEvent) -> None:
    data = stored.envelope.data
    allocated = (await conn.execute(select(lines.c.party_kind, lines.c.party_id).where(
        lines.c.fund_id == data["fund_id"], lines.c.reference == data["allocation_id"],
        lines.c.kind == "allocation"))).first()
    party = (allocated.party_kind, allocated.party_id) if allocated else ("unknown", "")
    await _book(conn, stored, "release", data["allocation_id"], *party, data["amount_fen"])


async def _book(conn: AsyncConnection, stored: StoredEvent, kind: str, reference: str, party_kind: str,
                party_id: str, amount_fen: int, booked_on: str | None = None) -> None:
    envelope = stored.envelope
    fund_id = envelope.aggregate_id
    fund = (await conn.execute(select(funds).where(funds.c.fund_id == fund_id))).first()
    if fund is None:  # the log stores a fund's opening first; nothing else can be booked without it
        return
    balance = fund.received_fen - fund.allocated_fen + fund.released_fen + amount_fen
    await conn.execute(lines.insert().values(
        fund_id=fund_id, line=fund.lines + 1, seq=stored.seq, kind=kind, reference=reference,
        party_kind=party_kind, party_id=party_id, amount_fen=amount_fen, balance_fen=balance,
        booked_on=booked_on or envelope.occurred_at.date().isoformat(),
        recorded_by=envelope.actor.operator_id))
    total = TOTALS[kind]
    await conn.execute(funds.update().where(funds.c.fund_id == fund_id).values(
        {total: funds.c[total] + abs(amount_fen), "lines": funds.c.lines + 1}))


async def fund_statement(conn: AsyncConnection, fund_id: str) -> dict | None:
    fund = (await conn.execute(select(funds).where(funds.c.fund_id == fund_id))).first()
    if fund is None:
        return None
    named = (lines.c.party_kind == "enterprise") & (lines.c.party_id == donor_names.c.donor_id)
    query = (select(lines, donor_names.c.name).outerjoin(donor_names, named)
             .where(lines.c.fund_id == fund_id).order_by(lines.c.line))
    rows = (await conn.execute(query)).all()
    balance = fund.received_fen - fund.allocated_fen + fund.released_fen
    return {
        "fund_id": fund.fund_id, "name": fund.name, "region": fund.region, "opened_on": fund.opened_on,
        "received_fen": fund.received_fen, "allocated_fen": fund.allocated_fen,
        "released_fen": fund.released_fen, "balance_fen": balance, "balance_yuan": yuan(balance),
        "lines": [{"line": r.line, "seq": r.seq, "kind": r.kind, "reference": r.reference,
                   "party_kind": r.party_kind, "party_id": r.party_id, "party_name": r.name,
                   "amount_fen": r.amount_fen, "amount_yuan": yuan(r.amount_fen),
                   "balance_fen": r.balance_fen, "booked_on": r.booked_on, "recorded_by": r.recorded_by}
                  for r in rows],
    }
