"""Where the ledger's queries read a region from, so that none sums over every row below a large
region (see `levels` for which levels are rolled up):

- `own(prefix)`: the region's own rows by day — its roll-up for CN, a province or a city; else
  the ledger's rows under it (a county's or a town's are few, a village's fewer);
- `parts(prefix, length)`: its direct sub-regions' rows by day, keyed by their prefix — their
  roll-ups for the provinces and cities, else the ledger's rows under it;
- `totals_as_of`: the running totals of the region and of its sub-regions less their steps dated
  after `day` (`figure_ahead`), which equal the sums by day once `day` is no earlier than the last
  settled day summed into the region's. A read as of an earlier day falls back to the rows by day:
  exact either way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, bindparam, exists, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from services.projections.figures.arithmetic import code_range
from services.projections.figures.levels import BY_DAY, LEAF, parent_of
from services.projections.figures.tables import ahead, ledger, rollup, totals


@dataclass(frozen=True)
class ByDay:
    """Rows by day: their part (a sub-region's prefix, or the region's), day, figure, delta, and
    the conditions that pick them."""

    part: object
    day: object
    figure: object
    delta: object
    where: tuple


def _ledger_under(prefix: str, length: int) -> ByDay:
    low, high = code_range(prefix)  # a village's: its own code
    # A leaf's part is its code (the column holds 12 characters): grouped in the key's own order.
    part = ledger.c.region if length == LEAF else func.substr(ledger.c.region, 1, length)
    return ByDay(part, ledger.c.day, ledger.c.figure, ledger.c.delta, (ledger.c.region.between(low, high),))


def own(prefix: str) -> ByDay:
    if len(prefix) in BY_DAY:
        return ByDay(rollup.c.prefix, rollup.c.day, rollup.c.figure, rollup.c.delta,
                     (rollup.c.parent == parent_of(prefix), rollup.c.prefix == prefix))
    return _ledger_under(prefix, len(prefix))


def parts(prefix: str, length: int) -> ByDay:
    if length in BY_DAY:
        return ByDay(rollup.c.prefix, rollup.c.day, rollup.c.figure, rollup.c.delta, (rollup.c.parent == prefix,))
    return _ledger_under(prefix, length)


async def totals_as_of(conn: AsyncConnection, prefix: str, day: date, *, mine: bool = True,
                       parts: bool = False) -> tuple[dict[str, int], dict[str, dict[str, int]]] | None:
    """The figures as of `day` of the region (`mine`) and of its direct sub-regions (`parts`, by
    prefix) from their running totals less their steps dated after `day`, if they answer as of it
    (no settled step dated after it was summed into the region's); else None, and the caller sums
    the rows by day — also for a region without any row, where that is as cheap. One statement, so
    one snapshot: the check, the totals and the steps ahead cannot straddle a batch the projector
    commits meanwhile."""
    values = {"prefix": prefix, "parent": parent_of(prefix), "day": day}
    rows = (await conn.execute(_totals_statement(mine, parts), values)).all()
    if all(later for later, *_ in rows):  # no running total answered: only steps ahead, or none
        return None
    own_totals: dict[str, int] = {}
    found: dict[str, dict[str, int]] = {}
    for later, parent, code, figure, total in rows:
        into = found.setdefault(code, {}) if parts and parent == prefix else own_totals
        into[figure] = into.get(figure, 0) + (-int(total) if later else int(total))
    return own_totals, found


@functools.cache
def _totals_statement(mine: bool, parts: bool):
    """Built once per shape, with the region and day bound at each read: building the statement
    and its cache key cost more than SQLite took to answer it."""
    prefix, parent, day = bindparam("prefix"), bindparam("parent"), bindparam("day", type_=Date)
    here = and_(totals.c.parent == parent, totals.c.prefix == prefix)
    picked = [totals.c.parent == prefix] if parts else []
    later_picked = [ahead.c.parent == prefix] if parts else []
    if mine:
        picked.append(here)
        later_picked.append(and_(ahead.c.parent == parent, ahead.c.prefix == prefix))
    unsettled = exists().where(here, totals.c.last_day > day)
    stood = select(literal(False).label("later"), totals.c.parent, totals.c.prefix, totals.c.figure,
                   totals.c.total).where(or_(*picked), ~unsettled)
    dated_later = (select(literal(True), ahead.c.parent, ahead.c.prefix, ahead.c.figure, func.sum(ahead.c.delta))
                   .where(or_(*later_picked), ahead.c.day > day)
                   .group_by(ahead.c.parent, ahead.c.prefix, ahead.c.figure))
    return union_all(stood, dated_later)
