"""Read model: the programme's figures for any region at any of the six levels.

Counters are kept per owning (leaf) region; a region's figures are the sums over the codes that
start with its prefix, so a parent's figures equal the sum of its children's by construction.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity import VisitLogged, WishFulfilled, WishSubmitted
from contracts.child_file import (ChildExited, ChildPlaceCompleted, ChildRiskAssessed, ChildTransferredIn,
                                  ChildTransferredOut)
from contracts.intake import ChildRegistered, VolunteerRecruited
from contracts.pairing import ChildJoinedPair, ChildLeftPair, PairEnded, PairFormed
from contracts.volunteers import StationClosed, StationOpened, TeamFormed, VolunteerWithdrew
from services.shared.follower.projection import metadata
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent
from services.shared.many_rows import execute_many

FIGURES = ("children_registered", "children_paired", "volunteers_recruited", "active_pairs",
           "pairs_formed", "pairs_ended", "visits_logged", "wishes_submitted", "wishes_fulfilled",
           "children_exited", "children_moved_in", "children_moved_out", "children_red",
           "children_orange", "children_yellow", "children_blue", "volunteers_withdrawn",
           "teams_formed", "stations_open")

region_figures = Table(
    "region_figures", metadata,
    Column("region", String(12), primary_key=True),
    *(Column(name, Integer, nullable=False, default=0) for name in FIGURES),
)
# Whether a child counts as paired depends on how many active pairs it is in.
child_pair_counts = Table(
    "region_figures_child_pairs", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False),
    Column("active_pairs", Integer, nullable=False),
    Column("tier", String(8)),
)
exit_reasons = Table(
    "region_exit_reasons", metadata,
    Column("region", String(12), primary_key=True),
    Column("reason", String(32), primary_key=True),
    Column("children", Integer, nullable=False),
)


class _Batch:
    """What applying a batch builds up, all written at its end: the figures' changes per region,
    the standing of the children its events name (read in one query per 500 children first), and
    the exits per region and reason. One prepared statement per table and batch, never one per
    event: building and compiling a statement per row cost this read model most of its time."""

    def __init__(self) -> None:
        self.deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.standing: dict[str, dict] = {}  # child id -> {region, active_pairs, tier}
        self.changed: set[str] = set()  # children whose standing is written back
        self.exits: dict[tuple[str, str], int] = defaultdict(int)

    def here(self, stored: StoredEvent) -> dict[str, int]:
        """The changes to the figures of the event's region."""
        return self.deltas[stored.envelope.region]


def _count(**steps: int):
    """An event that moves only figures of its region, whatever came before."""
    def count(batch: _Batch, stored: StoredEvent) -> None:
        here = batch.here(stored)
        for figure, step in steps.items():
            here[figure] += step
    return count


def _registered(batch: _Batch, stored: StoredEvent) -> None:
    batch.here(stored)["children_registered"] += 1
    child_id = stored.envelope.aggregate_id
    if child_id not in batch.standing:  # registered twice (a replayed list): the first row stands
        batch.standing[child_id] = {"region": stored.envelope.region, "active_pairs": 0, "tier": None}
        batch.changed.add(child_id)


def _child(change):
    """An event whose figures depend on the child's standing (how many active pairs it is in, its
    tier): `change(batch, stored, standing)` counts them and updates `standing`, written back. A
    child never registered has no row: its events are counted from nothing, and no row is made."""
    def apply(batch: _Batch, stored: StoredEvent) -> None:
        standing = batch.standing.get(stored.envelope.aggregate_id)
        if standing is None:
            change(batch, stored, {"region": stored.envelope.region, "active_pairs": 0, "tier": None})
            return
        change(batch, stored, standing)
        batch.changed.add(stored.envelope.aggregate_id)
    return apply


def _paired(step: int):
    def change(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
        before = standing["active_pairs"]
        after = standing["active_pairs"] = max(before + step, 0)
        batch.here(stored)["children_paired"] += (after > 0) - (before > 0)
    return change


def _assessed(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
    here = batch.here(stored)
    if standing["tier"]:
        here[f"children_{standing['tier']}"] -= 1
    standing["tier"] = stored.event.tier.value
    here[f"children_{standing['tier']}"] += 1


def _moved(step: int, figure: str):
    """The child's standing leaves the old region (-1) and joins the new one (+1), and its row moves
    with it; each region counts the move in `figure`."""
    def change(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
        here = batch.here(stored)
        here[figure] += 1
        here["children_registered"] += step
        here["children_paired"] += step * (standing["active_pairs"] > 0)
        if standing["tier"]:
            here[f"children_{standing['tier']}"] += step
        if step > 0:
            standing["region"] = stored.envelope.region
    return change


def _placed(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
    """The child's village is completed: her standing leaves her county for it (not a move in or out)."""
    for region, step in ((stored.event.from_region, -1), (stored.event.region, 1)):
        here = batch.deltas[region]
        here["children_registered"] += step
        here["children_paired"] += step * (standing["active_pairs"] > 0)
        if standing["tier"]:
            here[f"children_{standing['tier']}"] += step
    standing["region"] = stored.event.region


def _exited(batch: _Batch, stored: StoredEvent, standing: dict) -> None:
    # The child stays on file where it was, counted as exited.
    batch.here(stored)["children_exited"] += 1
    batch.exits[(stored.envelope.region, stored.event.reason.value)] += 1


APPLY = {
    ChildRegistered: _registered,
    VolunteerRecruited: _count(volunteers_recruited=1),
    PairFormed: _count(pairs_formed=1, active_pairs=1),
    PairEnded: _count(pairs_ended=1, active_pairs=-1),
    VisitLogged: _count(visits_logged=1),
    WishSubmitted: _count(wishes_submitted=1),
    WishFulfilled: _count(wishes_fulfilled=1),
    VolunteerWithdrew: _count(volunteers_withdrawn=1),
    TeamFormed: _count(teams_formed=1),
    StationOpened: _count(stations_open=1),
    StationClosed: _count(stations_open=-1),
    ChildJoinedPair: _child(_paired(1)),
    ChildLeftPair: _child(_paired(-1)),
    ChildRiskAssessed: _child(_assessed),
    ChildTransferredOut: _child(_moved(-1, "children_moved_out")),
    ChildTransferredIn: _child(_moved(1, "children_moved_in")),
    ChildPlaceCompleted: _child(_placed),
    ChildExited: _child(_exited),
}


CHILD_EVENTS = (ChildRegistered, ChildJoinedPair, ChildLeftPair, ChildRiskAssessed, ChildTransferredOut,
                ChildTransferredIn, ChildPlaceCompleted, ChildExited)
CHUNK = 500


class RegionStats:
    name = "region_stats"
    tables = (region_figures, child_pair_counts, exit_reasons)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        batch = _Batch()
        await _read_standing(conn, batch, {s.envelope.aggregate_id for s in events
                                           if isinstance(s.event, CHILD_EVENTS)})
        for stored in events:
            APPLY[type(stored.event)](batch, stored)
        await _write(conn, batch)


async def _read_standing(conn: AsyncConnection, batch: _Batch, child_ids: set[str]) -> None:
    child, ids = child_pair_counts.c, sorted(child_ids)
    for start in range(0, len(ids), CHUNK):
        rows = await conn.execute(select(child.child_id, child.region, child.active_pairs, child.tier)
                                  .where(child.child_id.in_(ids[start:start + CHUNK])))
        for row in rows:
            batch.standing[row.child_id] = {"region": row.region, "active_pairs": row.active_pairs,
                                            "tier": row.tier}


async def _write(conn: AsyncConnection, batch: _Batch) -> None:
    dialect = conn.dialect.name
    if batch.changed:
        await execute_many(conn, _standing_statement(dialect), [
            {"child_id": child_id, **batch.standing[child_id]} for child_id in sorted(batch.changed)])
    if batch.deltas:
        await execute_many(conn, _figures_statement(dialect), [
            {"region": region, **{name: changes.get(name, 0) for name in FIGURES}}
            for region, changes in sorted(batch.deltas.items())])
    if batch.exits:
        await execute_many(conn, _exits_statement(dialect), [
            {"region": region, "reason": reason, "children": count}
            for (region, reason), count in sorted(batch.exits.items())])


@functools.cache
def _standing_statement(dialect: str):
    statement = upsert(dialect, child_pair_counts)
    return statement.on_conflict_do_update(index_elements=["child_id"], set_={
        name: statement.excluded[name] for name in ("region", "active_pairs", "tier")})


@functools.cache
def _figures_statement(dialect: str):
    # Every figure is added to, the unchanged ones by 0: one statement for every region's row.
    statement = upsert(dialect, region_figures)
    return statement.on_conflict_do_update(index_elements=["region"], set_={
        name: region_figures.c[name] + statement.excluded[name] for name in FIGURES})


@functools.cache
def _exits_statement(dialect: str):
    statement = upsert(dialect, exit_reasons)
    return statement.on_conflict_do_update(index_elements=["region", "reason"], set_={
        "children": exit_reasons.c.children + statement.excluded.children})
