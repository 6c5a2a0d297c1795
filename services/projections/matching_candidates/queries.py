"""Queries of the matching read model besides the snapshot: a pair (or proposal) and whom it links,
the proposals awaiting a decision under a region, and the volunteers of pairs. Ids only: names are
the caller's to add, where its reader may see them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import Region
from services.projections.matching_candidates.model import members, pairs


@dataclass(frozen=True)
class Linked:
    """A pair or proposal, where it stands, and its children and volunteers (by id, in id order)."""
    pair_id: str
    region: str
    mode: str
    status: str
    children: tuple[str, ...]
    volunteers: tuple[str, ...]


async def pair_linked(conn: AsyncConnection, pair_id: str) -> Linked | None:
    [found] = await _linked(conn, select(pairs).where(pairs.c.pair_id == pair_id)) or [None]
    return found


async def proposals_in(conn: AsyncConnection, region: Region, limit: int, offset: int) -> list[Linked]:
    """Proposals not yet approved, rejected or withdrawn, oldest pair id first."""
    query = select(pairs).where(pairs.c.status == "proposed").order_by(pairs.c.pair_id)
    if region.prefix:
        query = query.where(pairs.c.region.startswith(region.prefix, autoescape=True))
    return await _linked(conn, query.limit(limit).offset(offset))


async def volunteers_of(conn: AsyncConnection, pair_ids: list[str]) -> dict[str, list[str]]:
    """The volunteers of each of these pairs."""
    found: dict[str, list[str]] = {}
    if pair_ids:
        query = (select(members.c.pair_id, members.c.member_id)
                 .where(members.c.role == "volunteer", members.c.pair_id.in_(pair_ids)).order_by(members.c.member_id))
        for pair_id, volunteer_id in await conn.execute(query):
            found.setdefault(pair_id, []).append(volunteer_id)
    return found


async def _linked(conn: AsyncConnection, query) -> list[Linked]:
    rows = (await conn.execute(query)).all()
    ids = [row.pair_id for row in rows]
    linked: dict[tuple[str, str], list[str]] = defaultdict(list)
    if ids:
        for member in await conn.execute(select(members).where(members.c.pair_id.in_(ids))
                                         .order_by(members.c.member_id)):
            linked[member.pair_id, member.role].append(member.member_id)
    return [Linked(row.pair_id, row.region, row.mode, row.status, tuple(linked[row.pair_id, "child"]),
                   tuple(linked[row.pair_id, "volunteer"])) for row in rows]


async def proposals_of_children(conn: AsyncConnection, child_ids: list[str]) -> dict[str, list[str]]:
    """The proposals awaiting a decision that name each of these children."""
    found: dict[str, list[str]] = {}
    if child_ids:
        query = (select(members.c.member_id, pairs.c.pair_id).join(pairs, pairs.c.pair_id == members.c.pair_id)
                 .where(members.c.role == "child", members.c.member_id.in_(child_ids), pairs.c.status == "proposed")
                 .order_by(pairs.c.pair_id))
        for child_id, pair_id in await conn.execute(query):
            found.setdefault(child_id, []).append(pair_id)
    return found


async def active_pairs_of(conn: AsyncConnection, member_ids: list[str]) -> dict[str, list[str]]:
    """The pairs standing now (formed, not ended) that each of these children or volunteers is in."""
    found: dict[str, list[str]] = {}
    if member_ids:
        query = (select(members.c.member_id, pairs.c.pair_id).join(pairs, pairs.c.pair_id == members.c.pair_id)
                 .where(members.c.member_id.in_(member_ids), pairs.c.status == "active").order_by(pairs.c.pair_id))
        for member_id, pair_id in await conn.execute(query):
            found.setdefault(member_id, []).append(pair_id)
    return found
