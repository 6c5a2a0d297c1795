"""Compliance figures kept between reads, region by region, for as long as nothing they count changed.

A tally (`figures.Tally`) adds up: a region's is the sum of its sub-regions'. The read model
records, for every region prefix, the last event that changed a pair's facts under it
(`changes.py`). A region's kept tally serves while its mark stands; once it moved, the region's
sub-regions are looked at one level down, and only those whose marks moved are worked out again — a
call logged in one village costs a read of that village's pairs and of the marks on the way up, not
of the province's. Where many sub-regions have nothing kept (a first read, a new day), the region
is worked out at once from its pairs, which also yields its sub-regions' tallies, kept for next
time.

The marks are read before the pairs, in the same connection: a tally that already counts a later
change is only ever worked out again, never kept past it. Keys include the day judged on, so a
month not over is judged afresh each day. One cache per database: marks of different logs are not
comparable.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import date

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import FederationLevel
from contracts.regions import LEVELS_BY_PREFIX, NATIONAL, Region
from services.activity.care.cadence import Profile
from services.projections.pair_compliance.figures import Tally, shaped, tallies
from services.projections.pair_compliance.changes import PREFIXES, changes, under

KEPT = 20_000  # tallies at most (a few KB each)
AT_ONCE = 4  # sub-regions with nothing kept, beyond which the region is worked out at once
DEEPEST = 6  # the counties: the deepest level kept from a region worked out at once


class ComplianceCache:
    def __init__(self, size: int = KEPT) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, tuple[int | None, Tally]] = OrderedDict()
        self.worked_out: deque[str] = deque(maxlen=100)  # the last prefixes read from pairs, newest last

    async def figures(self, conn: AsyncConnection, region: Region, month: str, profile: Profile,
                      today: date, part_length: int | None = None) -> dict:
        """As `figures.compliance_figures`; a fresh dict each time."""
        read = _Read(self, conn, month, profile, today)
        prefix = region.prefix
        mark = await read.mark(prefix)
        if mark is None:  # no pair was ever formed under the region (nor before the marks began)
            return shaped(Tally(profile), {}, month, today)
        if part_length is None:
            return shaped(await read.tally(prefix, mark), {}, month, today)
        parts = await read.parts(prefix, mark, part_length)
        total = _sum(profile, parts.values())
        if part_length == _next_length(prefix):
            self._put(read.key(prefix), mark, total)
        return shaped(total, parts, month, today)

    def _get(self, key: tuple, mark: int | None) -> Tally | None:
        kept = self._kept.get(key)
        if kept is None or kept[0] != mark:
            return None
        self._kept.move_to_end(key)
        return kept[1]

    def _put(self, key: tuple, mark: int | None, tally: Tally) -> None:
        self._kept[key] = (mark, tally)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)


# Read for every figures request: built once (one built per read cost a stats read 3% of its time).
_MARK = select(changes.c.last_seq).where(changes.c.length == bindparam("length"), changes.c.prefix == bindparam("prefix"))


class _Read:
    """One read's walk down the regions, on one connection."""

    def __init__(self, cache: ComplianceCache, conn: AsyncConnection, month: str, profile: Profile,
                 today: date) -> None:
        self.cache, self.conn, self.month, self.profile, self.today = cache, conn, month, profile, today

    def key(self, prefix: str) -> tuple:
        return (prefix, self.month, self.profile.name, self.today)

    async def mark(self, prefix: str) -> int | None:
        return (await self.conn.execute(_MARK, {"length": len(prefix), "prefix": prefix})).scalar()

    async def tally(self, prefix: str, mark: int | None) -> Tally:
        if (kept := self.cache._get(self.key(prefix), mark)) is not None:
            return kept
        below = _next_length(prefix)
        if below is None:  # a village: its own pairs
            total, _ = await self._work_out(prefix)
            self.cache._put(self.key(prefix), mark, total)
            return total
        total = _sum(self.profile, (await self.parts(prefix, mark, below)).values())
        self.cache._put(self.key(prefix), mark, total)
        return total

    async def parts(self, prefix: str, mark: int | None, length: int) -> dict[str, Tally]:
        """The tallies of the region's parts by the first `length` digits of their pairs' regions,
        each kept under its own mark; worked out at once where too many have nothing kept."""
        marks = await self._marks_below(prefix, length)
        stale = [part for part, part_mark in marks.items() if self.cache._get(self.key(part), part_mark) is None]
        if len(stale) > AT_ONCE:
            # The levels below down to the counties are tallied in the same pass and kept (a few
            # thousand tallies at most: the nation's villages would be hundreds of thousands), so a
            # first read of a province, city or county under this one reads marks, not pairs.
            lengths = tuple(L for L in PREFIXES if L == length or length < L <= DEEPEST)
            below = await self._marks_below(prefix, *lengths)  # before the pairs, as every mark is
            total, parts = await self._work_out(prefix, lengths)
            for part, part_mark in below.items():
                self.cache._put(self.key(part), part_mark, parts.setdefault(part, Tally(self.profile)))
            self.cache._put(self.key(prefix), mark, total)
            # every part with a pair counted has a mark, since it was recorded
            return {part: tally for part, tally in parts.items() if len(part) == length}
        return {part: await self.tally(part, part_mark) for part, part_mark in marks.items()}

    async def _marks_below(self, prefix: str, *lengths: int) -> dict[str, int]:
        """The marks of the parts `lengths` digits long (one level down, or several) that ever had a
        pair's facts changed (no other part has a pair to count)."""
        return dict((await self.conn.execute(select(changes.c.prefix, changes.c.last_seq)
                                             .where(or_(*(under(prefix, length) for length in lengths))))).all())

    async def _work_out(self, prefix: str, lengths: tuple[int, ...] = ()) -> tuple[Tally, dict[str, Tally]]:
        self.cache.worked_out.append(prefix)
        return await tallies(self.conn, _region(prefix), self.month, self.profile, self.today, lengths=lengths)


def _sum(profile: Profile, tallies) -> Tally:
    total = Tally(profile)
    for tally in tallies:
        total.merge(tally)
    return total


def _next_length(prefix: str) -> int | None:
    index = PREFIXES.index(len(prefix))
    return PREFIXES[index + 1] if index + 1 < len(PREFIXES) else None


def _region(prefix: str) -> Region:
    if not prefix:
        return Region(NATIONAL, FederationLevel.national)
    return Region(prefix.ljust(12, "0"), LEVELS_BY_PREFIX[len(prefix)])
