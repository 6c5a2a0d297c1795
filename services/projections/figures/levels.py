"""The ledger's roll-ups, pure: each delta of a leaf region also counts to the regions above it,
so that a large region's figure is read from a handful of rows, not summed over every row below.

A region is named here by its significant prefix ('' for CN, then 2, 4, 6 and 9 digits of the
leaf's code — the same parts `substr(region, 1, n)` gives the ledger's queries, so the answers do
not change), and each row carries its parent's prefix, so that one primary-key range serves both a
region's own figures and its direct sub-regions'. Two roll-ups:

- running totals (`figure_totals`: parent, prefix, figure → total, and the last day summed in) for
  CN down to the village: what a region stands at once that day has passed — what "today" asks,
  less the steps dated later than that (`figure_ahead`: only those dated after their event). A
  town's villages are read from their totals too: summing their ledger rows (a row per village,
  figure and day) cost a town 50 ms at p99 on PostgreSQL with a million children;
- by day (`figure_rollup`: parent, prefix, day, figure → delta) for CN, the provinces and the
  cities: what they stood at on a past day. A county or a town is small enough to sum its ledger
  rows for that, and a village's are its few ledger rows.

Each roll-up row costs a write per batch that touches it, and in a sparse batch (one child in each
of a thousand villages) almost every leaf row makes a new row at each level; so the levels rolled
up are only those a read could not sum quickly otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from services.projections.figures.arithmetic import Deltas

LENGTHS = (0, 2, 4, 6, 9, 12)  # CN, province, city, county, town, village
LEAF = LENGTHS[-1]
TOTALS = LENGTHS
BY_DAY = (0, 2, 4)
NO_PARENT = "*"  # CN's parent: not a prefix of any code, and not NULL, since it is part of a key
NOTHING_SETTLED = date(1, 1, 1)  # the last day of a total whose every step is dated ahead


def parent_length(length: int) -> int:
    """How many digits name the parent of a region named by `length` digits (not CN's)."""
    return LENGTHS[LENGTHS.index(length) - 1]


def parent_of(prefix: str) -> str:
    """The parent's prefix of a prefix of one of LENGTHS (CN's is NO_PARENT)."""
    index = LENGTHS.index(len(prefix)) if len(prefix) in LENGTHS else 0
    return prefix[:LENGTHS[index - 1]] if index else NO_PARENT


def rolled_up(deltas: Deltas) -> tuple[list[dict], list[dict], list[dict]]:
    """(rows by day, total rows, rows ahead) of a batch's deltas, summed per key. A key summed to
    zero keeps its row, as the ledger's do: a region that ever had a row is listed among its
    parent's sub-regions however the log was cut into batches. A total's last day is of its settled
    steps only (NOTHING_SETTLED if all were ahead); its steps dated ahead are also rows ahead."""
    by_day: dict[tuple[str, str, date, str], int] = defaultdict(int)
    totals: dict[tuple[str, str, str], list] = {}
    later: dict[tuple[str, date, str, str], int] = defaultdict(int)
    for key, step in deltas.steps.items():
        region, day, figure = key
        settled = key in deltas.settled
        ahead = deltas.ahead.get(key)
        above = NO_PARENT
        for length in TOTALS:
            prefix = region[:length]
            if length in BY_DAY:
                by_day[(above, prefix, day, figure)] += step
            total = totals.setdefault((above, prefix, figure), [0, NOTHING_SETTLED])
            total[0] += step
            if settled:
                total[1] = max(total[1], day)
            if ahead is not None:
                later[(above, day, prefix, figure)] += ahead
            above = prefix
    return ([{"parent": p, "prefix": r, "day": d, "figure": f, "delta": v} for (p, r, d, f), v in sorted(by_day.items())],
            [{"parent": p, "prefix": r, "figure": f, "total": v, "last_day": d}
             for (p, r, f), (v, d) in sorted(totals.items())],
            [{"parent": p, "day": d, "prefix": r, "figure": f, "delta": v} for (p, d, r, f), v in sorted(later.items())])
