"""Queries of the matching read model: the candidate snapshot the matching engine works on."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from contracts.regions import Region, parse_region
from contracts.intake.volunteers import REQUIRED_TRAINING
from services.intake.domain import age_on
from services.pairing.matching.profiles import ChildProfile, PastPair, Snapshot, VolunteerProfile
from services.projections.matching_candidates.model import children, members, pairs, volunteers

# When several pairs linked one child and one volunteer, the one that matters most for matching.
PAST_RANK = {"active": 0, "proposed": 1, "ended": 2}


async def region_snapshot(conn: AsyncConnection, region: Region, today: date) -> Snapshot:
    """The children and volunteers of a street/town or district (volunteers are paired from the
    pools of their own region)."""
    in_region = children.c.region.startswith(region.prefix, autoescape=True)
    kids = await _children(conn, in_region, today)
    adults = await _volunteers(conn, volunteers.c.region.startswith(region.prefix, autoescape=True))
    return Snapshot(region.code, tuple(kids), tuple(adults), await _history(conn, in_region))


async def child_snapshot(conn: AsyncConnection, child_id: str, today: date) -> tuple[ChildProfile, Snapshot] | None:
    """One child, and the volunteers of the child's district."""
    kids = await _children(conn, children.c.child_id == child_id, today)
    if not kids:
        return None
    district = parse_region(kids[0].region[:6])
    adults = await _volunteers(conn, volunteers.c.region.startswith(district.prefix, autoescape=True))
    history = await _history(conn, children.c.child_id == child_id)
    return kids[0], Snapshot(district.code, tuple(kids), tuple(adults), history)


async def _children(conn: AsyncConnection, where, today: date) -> list[ChildProfile]:
    rows = (await conn.execute(select(children).where(where).order_by(children.c.child_id))).all()
    ids = [r.child_id for r in rows]
    cared, proposed = await _individual_pairs(conn, ids)
    return [ChildProfile(
        child_id=r.child_id, region=r.region, sex=r.sex, age=age_on(r.birth_date, today), tier=r.tier,
        needs=tuple(r.needs), consent=r.consent, exited=r.exited,
        cared_in=tuple(cared[r.child_id]), proposed_in=tuple(proposed[r.child_id]),
    ) for r in rows]


async def _individual_pairs(conn: AsyncConnection, child_ids: list[str]):
    """Each child's active and proposed pairs, collective ones aside (they give no individual care)."""
    cared, proposed = defaultdict(list), defaultdict(list)
    if not child_ids:
        return cared, proposed
    query = (select(members.c.member_id, pairs.c.pair_id, pairs.c.status)
             .join(pairs, pairs.c.pair_id == members.c.pair_id)
             .join(children, children.c.child_id == members.c.member_id)
             .where(members.c.role == "child", pairs.c.mode != "collective",
                    pairs.c.status.in_(("active", "proposed")), children.c.child_id.in_(child_ids))
             .order_by(pairs.c.pair_id))
    for child_id, pair_id, status in await conn.execute(query):
        (cared if status == "active" else proposed)[child_id].append(pair_id)
    return cared, proposed


async def _volunteers(conn: AsyncConnection, where) -> list[VolunteerProfile]:
    pending = (select(members.c.member_id, func.sum(pairs.c.load).label("proposed"))
               .join(pairs, pairs.c.pair_id == members.c.pair_id)
               .where(members.c.role == "volunteer", pairs.c.status == "proposed")
               .group_by(members.c.member_id).subquery())
    query = (select(volunteers, func.coalesce(pending.c.proposed, 0).label("proposed"))
             .outerjoin(pending, pending.c.member_id == volunteers.c.volunteer_id)
             .where(where).order_by(volunteers.c.volunteer_id))
    required = {topic.value for topic in REQUIRED_TRAINING}
    return [VolunteerProfile(
        volunteer_id=r.volunteer_id, region=r.region, sex=r.sex, kind=r.kind, capacity=r.capacity,
        load=r.load, proposed=int(r.proposed), specialties=tuple(r.specialties),
        trained=required <= set(r.trained_topics), withdrawn=r.withdrawn,
    ) for r in await conn.execute(query)]


async def _history(conn: AsyncConnection, child_filter) -> dict[tuple[str, str], PastPair]:
    """Individual pairs (active, proposed or ended) that linked a child of the filter to a volunteer."""
    child_member, volunteer_member = aliased(members), aliased(members)
    query = (select(child_member.c.member_id, volunteer_member.c.member_id, pairs.c.pair_id,
                    pairs.c.status, pairs.c.end_reason)
             .join(volunteer_member, and_(volunteer_member.c.pair_id == child_member.c.pair_id,
                                          volunteer_member.c.role == "volunteer"))
             .join(pairs, pairs.c.pair_id == child_member.c.pair_id)
             .join(children, children.c.child_id == child_member.c.member_id)
             .where(child_member.c.role == "child", child_filter, pairs.c.mode != "collective",
                    pairs.c.status.in_(tuple(PAST_RANK)))
             .order_by(pairs.c.pair_id))
    history: dict[tuple[str, str], PastPair] = {}
    for child_id, volunteer_id, pair_id, status, reason in await conn.execute(query):
        past, key = PastPair(pair_id, status, reason), (child_id, volunteer_id)
        if key not in history or _outranks(past, history[key]):
            history[key] = past
    return history


def _outranks(new: PastPair, old: PastPair) -> bool:
    # A mismatch is remembered over an ending for another reason: it keeps the volunteer away.
    def rank(past: PastPair) -> tuple[int, bool]:
        return PAST_RANK[past.status], past.end_reason != "mismatch"

    return rank(new) < rank(old)


async def proposal_snapshot(conn: AsyncConnection, pair_ids: list[str], today: date) -> Snapshot:
    """The children and volunteers of these proposals, with the history of those children apart
    from the proposals themselves."""
    linked = (await conn.execute(select(members.c.role, members.c.member_id)
                                 .where(members.c.pair_id.in_(pair_ids)))).all()
    child_ids = sorted({member for role, member in linked if role == "child"})
    volunteer_ids = sorted({member for role, member in linked if role == "volunteer"})
    kids = await _children(conn, children.c.child_id.in_(child_ids), today)
    adults = await _volunteers(conn, volunteers.c.volunteer_id.in_(volunteer_ids))
    history = await _history(conn, and_(children.c.child_id.in_(child_ids), pairs.c.pair_id.notin_(pair_ids)))
    return Snapshot("", tuple(kids), tuple(adults), history)
