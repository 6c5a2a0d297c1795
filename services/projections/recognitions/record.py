"""Query: a volunteer's record of a year, as a nomination for 最美爱心妈妈 attaches it — her service
minutes and activities (`figure_ledger`'s service rows), the pairs she was in during the year and
their children (`file_records`, `pair_compliance`), the pair-months of the year already over judged
under the five ones (海门 五个一, by activity/care's pure rules) and those in which no rule was
missed, and her children's wishes fulfilled while she cared for them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.activity.care.cadence import DEFAULT_PROFILE, profile_named
from services.activity.care.compliance import Done, PairFacts, Status, evaluate
from services.activity.care.periods import month_bounds, scope_start
from services.projections.figures.tables import service
from services.projections.file_records.model import records
from services.projections.pair_compliance.model import activities, birthdays, pairs, wishes


async def volunteer_record(conn: AsyncConnection, volunteer_id: str, year: int, as_of: date) -> dict:
    """Her record of `year` as the read models stand on `as_of` (the fields of a ServiceRecord)."""
    start, end = date(year, 1, 1), min(date(year, 12, 31), as_of)
    minutes, count = (await conn.execute(
        select(func.coalesce(func.sum(service.c.minutes), 0), func.coalesce(func.sum(service.c.activities), 0))
        .where(service.c.holder == "volunteer", service.c.holder_id == volunteer_id,
               service.c.day.between(start, end)))).one()
    mine = await _pairs_in(conn, volunteer_id, start, end)
    children = sorted({c for pair in mine for c in pair.child_ids})
    fulfilled = await _wishes(conn, children, start, end)
    judged, met = await _five_ones(conn, mine, fulfilled, year, as_of)
    wished = {wish_id for pair in mine for wish_id, child, day in fulfilled
              if child in pair.child_ids and pair.started_on <= day <= (pair.ended_on or end)}
    return {"as_of": as_of.isoformat(), "service_minutes": int(minutes), "activities": int(count), "pairs": len(mine),
            "children": len(children), "five_ones_judged": judged, "five_ones_met": met,
            "wishes_fulfilled": len(wished)}


async def _pairs_in(conn: AsyncConnection, volunteer_id: str, start: date, end: date) -> list:
    """Her formed pairs active at some time from `start` to `end`."""
    ids = select(records.c.record_id).where(records.c.person_id == volunteer_id, records.c.kind == "pair")
    query = (select(pairs).where(pairs.c.pair_id.in_(ids), pairs.c.started_on <= end)
             .where((pairs.c.ended_on.is_(None)) | (pairs.c.ended_on >= start)).order_by(pairs.c.pair_id))
    return list(await conn.execute(query))


async def _wishes(conn: AsyncConnection, children: list[str], start: date, end: date) -> list[tuple[str, str, date]]:
    if not children:
        return []
    query = select(wishes.c.wish_id, wishes.c.child_id, wishes.c.fulfilled_on).where(
        wishes.c.child_id.in_(children), wishes.c.fulfilled_on.between(scope_start(start), end))
    return [tuple(row) for row in await conn.execute(query)]


async def _five_ones(conn: AsyncConnection, mine: list, fulfilled: list, year: int, as_of: date) -> tuple[int, int]:
    """(pair-months judged, pair-months with no rule missed): each month of the year over by
    `as_of`, each of her pairs active in it for which some rule was due."""
    if not mine:
        return 0, 0
    profile = profile_named(DEFAULT_PROFILE)
    done: dict[str, list[Done]] = {pair.pair_id: [] for pair in mine}
    query = (select(activities).where(activities.c.pair_id.in_(list(done)),
                                      activities.c.held_on.between(scope_start(date(year, 1, 1)), date(year, 12, 31)))
             .order_by(activities.c.held_on, activities.c.activity_id))
    for row in await conn.execute(query):
        done[row.pair_id].append(Done(row.activity_id, row.held_on, row.kind, frozenset(row.child_ids),
                                      row.guardians, row.evidence))
    children = sorted({c for pair in mine for c in pair.child_ids})
    births = dict((await conn.execute(select(birthdays.c.child_id, birthdays.c.birth_date)
                                      .where(birthdays.c.child_id.in_(children)))).all())
    judged = met = 0
    for number in range(1, 13):
        month = f"{year:04d}-{number:02d}"
        month_start, month_end = month_bounds(month)
        if month_end >= as_of:
            break
        for pair in mine:
            if pair.started_on > month_end or (pair.ended_on and pair.ended_on < month_start):
                continue
            facts = PairFacts(pair.pair_id, tuple(pair.child_ids), pair.started_on, pair.ended_on,
                              tuple(done[pair.pair_id]),
                              tuple((child, day) for _, child, day in fulfilled if child in pair.child_ids),
                              {c: births[c] for c in pair.child_ids if c in births})
            verdict = evaluate(profile, facts, month)
            if any(rule["status"] is not Status.not_due for rule in verdict["rules"]):
                judged += 1
                met += verdict["compliant"]
    return judged, met
