"""The programme the read-model tests build, what its figures must be, and small helpers; shared by
every database backend so that the cases are written once.

The programme spans two provinces (Guangdong 44, Sichuan 51), two districts of Guangzhou and two
communities of one street; a pair is owned by its first child's community even when its volunteer
lives in another. Child c-hz-1 is in three pairs and leaves one, so `children_paired` (distinct
children with an active pair) and `active_pairs` (pairs) tell different stories.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import Region
from services.activity.app import ROUTES as ACTIVITY
from services.intake.app import ROUTES as INTAKE
from services.pairing.app import ROUTES as PAIRING
from services.shared.follower.projection import metadata
from services.shared.follower.projector import Projector
from services.shared.endpoints import execute
from services.shared.eventlog import EventLog
from tests.conftest import NATIONAL

ROUTES = {**INTAKE, **PAIRING, **ACTIVITY}
SIX_LEVELS = ("CN", "44", "4401", "440105", "440105001", "440105001101")
NAMES = {"c-hz-1": "李小花", "c-hz-2": "李小草", "c-hz-3": "陈明", "c-ch-1": "黄乐", "c-sc-1": "王小雨"}
REGIONS = {"c-hz-1": "440105001101", "c-hz-2": "440105001101", "c-hz-3": "440105001102",
           "c-ch-1": "440117001001", "c-sc-1": "510623100003"}


def _child(child_id: str) -> list[tuple[str, dict]]:
    # The children are ten: pairing them needs their guardian's consent on file.
    return [("register_child", {"child_id": child_id, "region": REGIONS[child_id], "name": NAMES[child_id],
                                "sex": "female", "birth_date": "2016-03-08", "category": "left_behind",
                                "registered_on": "2025-09-01"}),
            ("record_consent", {"child_id": child_id, "relation": "grandparent", "given_by": "李大山",
                                "scopes": ["pairing"], "given_on": "2026-05-01"})]


def _volunteer(volunteer_id: str, region: str, capacity: int = 1) -> list[tuple[str, dict]]:
    # Untrained volunteers stay in the reserve pool: they cannot be paired.
    return [("recruit_volunteer", {"volunteer_id": volunteer_id, "region": region, "name": "王芳",
                                   "sex": "female", "kind": "mother", "capacity": capacity,
                                   "recruited_on": "2025-09-01"}),
            ("record_training", {"topic": "minors_protection_law", "held_on": "2026-05-02",
                                 "volunteer_ids": [volunteer_id]})]


def _pair(pair_id: str, mode: str, children: list[str], volunteers: list[str]) -> tuple[str, dict]:
    # Formed in May, recorded later: its visits at the end of May come after the forming.
    return "form_pair", {"pair_id": pair_id, "mode": mode, "child_ids": children, "volunteer_ids": volunteers,
                         "formed_on": "2026-05-15"}


def _visit(pair_id: str, visit_id: str) -> tuple[str, dict]:
    return "log_visit", {"pair_id": pair_id, "visit_id": visit_id, "kind": "phone_call",
                         "visited_on": "2026-05-30", "duration_minutes": 30}


PROGRAMME: list[tuple[str, dict]] = [
    *(step for c in NAMES for step in _child(c)),
    *_volunteer("v-hz-2", "440105001102", capacity=3), *_volunteer("v-hz", "440105001101"),
    *_volunteer("v-ch", "440117001001"), *_volunteer("v-sc", "510623100003"),
    _pair("p-hz-1", "one_to_one", ["c-hz-1"], ["v-hz"]),
    _pair("p-hz-2", "one_to_many", ["c-hz-1", "c-hz-2"], ["v-hz-2"]),
    # Collective pairs add nothing to a volunteer's load, so v-hz can take this one too.
    _pair("p-hz-3", "collective", ["c-hz-1", "c-hz-3"], ["v-hz"]),
    _pair("p-ch", "one_to_one", ["c-ch-1"], ["v-ch"]),
    _pair("p-sc", "one_to_one", ["c-sc-1"], ["v-sc"]),
    _visit("p-hz-1", "visit-1"), _visit("p-hz-1", "visit-2"),
    _visit("p-ch", "visit-3"), _visit("p-sc", "visit-4"),
    ("submit_wish", {"wish_id": "w-1", "child_id": "c-hz-1", "item": "书包", "estimated_cost_yuan": 120}),
    ("submit_wish", {"wish_id": "w-2", "child_id": "c-hz-3", "item": "自行车", "estimated_cost_yuan": 400}),
    ("submit_wish", {"wish_id": "w-3", "child_id": "c-sc-1", "item": "绘本", "estimated_cost_yuan": 60}),
    ("fulfil_wish", {"wish_id": "w-1", "donor": "爱心企业"}), ("fulfil_wish", {"wish_id": "w-3"}),
    ("end_pair", {"pair_id": "p-sc", "reason": "moved"}),
    # c-hz-1 stays in p-hz-2 and p-hz-3: it must still count once in children_paired.
    ("end_pair", {"pair_id": "p-hz-1", "reason": "mismatch"}),
]

# The figures the cases check by hand, as the figure ledger (the read model the API serves) names them.
FIGURES = ("children", "children_registered", "children_paired", "volunteers", "volunteers_recruited",
           "active_pairs", "pairs_formed", "pairs_ended", "activities", "wishes_submitted", "wishes_fulfilled",
           "wishes_open")
# The figures of each owning region, worked out by hand from PROGRAMME (absent figures are 0).
EXPECTED_LEAVES: dict[str, dict[str, int]] = {
    "440105001101": dict(children=2, children_registered=2, children_paired=2, volunteers=1,
                         volunteers_recruited=1, active_pairs=2, pairs_formed=3, pairs_ended=1, activities=2,
                         wishes_submitted=1, wishes_fulfilled=1),
    "440105001102": dict(children=1, children_registered=1, children_paired=1, volunteers=1,
                         volunteers_recruited=1, wishes_submitted=1, wishes_open=1),
    "440117001001": dict(children=1, children_registered=1, children_paired=1, volunteers=1,
                         volunteers_recruited=1, active_pairs=1, pairs_formed=1, activities=1),
    "510623100003": dict(children=1, children_registered=1, volunteers=1, volunteers_recruited=1, pairs_formed=1,
                         pairs_ended=1, activities=1, wishes_submitted=1, wishes_fulfilled=1),
}


def expected_figures(region: Region) -> dict[str, int]:
    leaves = [f for code, f in EXPECTED_LEAVES.items() if code.startswith(region.prefix)]
    return {name: sum(leaf.get(name, 0) for leaf in leaves) for name in FIGURES}


async def send(deps, steps: list[tuple[str, dict]]) -> None:
    """Through the real endpoint layer (decoding, handlers, unit of work), as a request would go."""
    for command, fields in steps:
        model, handler = ROUTES[command]
        body = json.dumps({"actor": NATIONAL.model_dump(mode="json"), **fields}).encode()
        reply = await execute(deps, model, handler, body)
        if not reply.ok:  # not an AssertionError: an xfail(raises=AssertionError) must not hide it
            raise RuntimeError(f"{command} {fields} refused: {reply.error}")


@contextlib.asynccontextmanager
async def running(projector: Projector) -> AsyncIterator[asyncio.Task]:
    task = asyncio.create_task(projector.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def catch_up(projector: Projector, event_log: EventLog, timeout: float = 10.0) -> None:
    await projector.wait_for(await event_log.last_sequence(), timeout=timeout)


async def snapshot(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every row of every read-model table, checkpoints and dead letters included."""
    async with engine.connect() as conn:
        return {table.name: sorted(str(tuple(row)) for row in await conn.execute(select(table)))
                for table in metadata.sorted_tables}
