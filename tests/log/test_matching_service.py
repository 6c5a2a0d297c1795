"""Matching on a real nats-server: every mode proposed, approved, ended and rematched; the pools,
the rematch queue and the figures per mode at all six levels (on SQLite and PostgreSQL); replay;
and 100 operators pairing one child at the same moment."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import parse_region
from contracts.replies import ErrorCode
from services.pairing.matching.engine import suggest
from services.projections import all_projections
from services.projections.figures.queries import figures_as_of
from services.projections.matching_candidates.queries import Linked, pair_linked, proposals_in, volunteers_of
from services.projections.matching_candidates.snapshot import child_snapshot
from services.projections.pair_modes import figures_by_mode
from services.shared.follower.projector import Projector
from services.projections.rematch_queue import waiting
from services.projections.volunteer_pools import pools
from services.shared.db import make_engine
from services.shared.endpoints import execute
from tests.conftest import NATIONAL
from tests.log.matching_cases import (C1, C2, LIFECYCLE, REMATCH, ROUTES, SIX_LEVELS, STREET, STREET_APPROVER,
                                     expected_modes, expected_stats, send, setup_steps)
from tests.log.projection_cases import catch_up, running
from tests.log.test_projections import read_db  # noqa: F401  (the SQLite and PostgreSQL backends)

TODAY = date(2026, 6, 1)  # the clock of the `deps` fixture
MODE_CASES = {
    "one_to_one": (["a1"], ["m2"], {}),
    "one_to_many": (["a2", "a3"], ["m1"], {}),
    "many_to_one": (["b1"], ["m3", "m6"], {}),
    "collective": (["a1", "b1", "b2"], ["m1"], {"team_id": "t1", "station_id": "st1"}),
    "family": (["b2"], ["f1"], {}),
}


@pytest.fixture
async def sqlite_db(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    yield engine
    await engine.dispose()


async def projected(event_log, engine: AsyncEngine) -> Projector:
    projector = Projector(event_log, engine, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    return projector


async def queue_with_suggestions(engine: AsyncEngine, region: str) -> dict[str, list[str]]:
    async with engine.connect() as conn:
        result = {}
        for entry in await waiting(conn, parse_region(region)):
            child, snapshot = await child_snapshot(conn, entry["child_id"], TODAY)
            result[entry["child_id"]] = [c.volunteer_id for c in suggest(child, snapshot, 10).candidates]
        return result


@pytest.mark.parametrize("mode", MODE_CASES)
async def test_each_mode_is_proposed_approved_ended_and_its_children_rematched(
    mode, deps, event_log, sqlite_db,
) -> None:
    children, volunteers, venue = MODE_CASES[mode]
    await send(deps, setup_steps())
    await send(deps, [(STREET, "propose_pair", {"pair_id": "P", "mode": mode, "child_ids": children,
                                                "volunteer_ids": volunteers, **venue}),
                      (STREET_APPROVER, "approve_pair", {"pair_id": "P"}), (STREET, "end_pair", {"pair_id": "P", "reason": "mismatch"})])
    await projected(event_log, sqlite_db)
    queue = await queue_with_suggestions(sqlite_db, "440105")
    assert sorted(queue) == sorted(children)
    for child_id, offered in queue.items():
        assert offered, f"no fresh suggestion for {child_id}"
        if mode != "collective":  # an individual pair that ended as a mismatch is not offered again
            assert not set(offered) & set(volunteers)
    first = children[0]
    choice = queue[first][0]
    new_mode = "family" if choice == "f1" else "one_to_one"
    await send(deps, [(STREET, "propose_pair", {"pair_id": "R", "mode": new_mode, "child_ids": [first],
                                                "volunteer_ids": [choice]}), (STREET_APPROVER, "approve_pair", {"pair_id": "R"})])
    await projected(event_log, sqlite_db)
    assert sorted(await queue_with_suggestions(sqlite_db, "440105")) == sorted(children[1:])
    async with sqlite_db.connect() as conn:
        by_mode = await figures_by_mode(conn, parse_region("CN"))
    assert (by_mode[mode]["approved"], by_mode[mode]["pairs_ended"]) == (1 + (new_mode == mode), 1)
    assert by_mode[new_mode]["active_pairs"] == 1 and by_mode[new_mode]["children_paired"] == 1


async def test_figures_per_mode_pools_queue_and_replay_on_every_backend(
    deps, event_log, read_db,  # noqa: F811
) -> None:
    await send(deps, setup_steps() + LIFECYCLE)
    projector = await projected(event_log, read_db)
    assert await queue_with_suggestions(read_db, "CN") == {
        "a2": ["m7", "f1"], "a3": ["m7", "f1"],  # m1's pair with them ended as a mismatch
        "b2": ["f1", "m1", "m7"]}  # f1 cared for b2 before, and the pair ended only because of a move
    await send(deps, REMATCH)
    async with running(projector):
        await catch_up(projector, event_log)
        assert sorted(await queue_with_suggestions(read_db, "CN")) == ["a2", "a3"]
        async with read_db.connect() as conn:
            for code in SIX_LEVELS:
                region = parse_region(code)
                assert await figures_by_mode(conn, region) == expected_modes(region), code
                stats = await figures_as_of(conn, region, date.max)
                assert tuple(stats[f] for f in ("pairs_formed", "pairs_ended", "active_pairs",
                                                "children_paired")) == expected_stats(region), code
            district = await pools(conn, parse_region("440105"))
        reports = await projector.replay()
        assert all(r.equal for r in reports), [(r.projection, r.differences) for r in reports if not r.equal]
    assert {k: district[k] for k in ("pairing", "reserve_untrained", "reserve_at_capacity", "withdrawn",
                                     "free_places")} == {"pairing": 2, "reserve_untrained": 1,
                                                         "reserve_at_capacity": 5, "withdrawn": 1, "free_places": 5}
    streets = {s["region"]: (s["pairing"], s["reserve_at_capacity"]) for s in district["streets"]}
    assert streets == {"440105001000": (2, 4), "440105002000": (0, 1)}


async def test_a_pair_and_the_proposals_awaiting_a_decision_with_whom_they_link(
    deps, event_log, read_db,  # noqa: F811
) -> None:
    proposal = {"pair_id": "Q", "mode": "one_to_one", "child_ids": ["a2"], "volunteer_ids": ["m7"]}
    await send(deps, setup_steps() + LIFECYCLE + [(STREET, "propose_pair", proposal)])
    await projected(event_log, read_db)
    async with read_db.connect() as conn:
        assert await pair_linked(conn, "P3") == Linked("P3", C2, "many_to_one", "active", ("b1",), ("m3", "m6"))
        assert (await pair_linked(conn, "P2")).status == "ended" and await pair_linked(conn, "nope") is None
        waiting_in = {code: await proposals_in(conn, parse_region(code), 100, 0) for code in ("CN", C1, C2, "51")}
        assert await volunteers_of(conn, ["P3", "P4", "nope"]) == {"P3": ["m3", "m6"], "P4": ["m1"]}
    only = [Linked("Q", C1, "one_to_one", "proposed", ("a2",), ("m7",))]
    assert waiting_in == {"CN": only, C1: only, C2: [], "51": []}


async def test_a_hundred_concurrent_attempts_to_pair_one_child_yield_one_pair(deps, event_log) -> None:
    volunteers = [f"v{i:03d}" for i in range(100)]
    await send(deps, setup_steps()[:2] + [  # child a1 with consent, and a hundred trained mothers
        (NATIONAL, "recruit_volunteer", {"volunteer_id": v, "region": "440105001101", "name": "王芳",
                                         "sex": "female", "kind": "mother"}) for v in volunteers] + [
        (NATIONAL, "record_training", {"topic": "minors_protection_law", "held_on": "2026-05-02",
                                       "volunteer_ids": volunteers})])
    await send(deps, [(STREET, "propose_pair", {"pair_id": f"p-{v}", "child_ids": ["a1"], "volunteer_ids": [v]})
                      for v in volunteers[:50]])

    async def attempt(i: int):
        # Half the operators approve a proposal, half form a pair directly, all at the same moment.
        if i < 50:
            command, fields = "approve_pair", {"pair_id": f"p-{volunteers[i]}"}
        else:
            command, fields = "form_pair", {"child_ids": ["a1"], "volunteer_ids": [volunteers[i]]}
        model, handler = ROUTES[command]
        actor = STREET_APPROVER if command == "approve_pair" else STREET
        body = json.dumps({"actor": actor.model_dump(mode="json"), **fields}).encode()
        return await execute(deps, model, handler, body)

    replies = await asyncio.gather(*(attempt(i) for i in range(100)))
    assert sum(r.ok for r in replies) == 1
    assert {r.error.code for r in replies if not r.ok} <= {ErrorCode.conflict, ErrorCode.rule_violated}
    # The losers are told plainly: the child changed under them, or it is paired now.
    assert all("a1" in r.error.message or "p-v" in r.error.message for r in replies if not r.ok)
    joined = [e for e in (await event_log.load("pairing_child", "a1")).events if e.envelope.event_type == "ChildJoinedPair"]
    assert len(joined) == 1


async def test_consent_to_other_things_than_pairing_leaves_matching_as_it_was(
    deps, event_log, read_db,  # noqa: F811
) -> None:
    """A consent to photos alone has nothing to change in the matching read model; it once made the
    projector's UPDATE fail and stalled every read model behind it."""
    await send(deps, setup_steps()[:2] + [
        (NATIONAL, "record_consent", {"child_id": "a1", "relation": "grandparent", "given_by": "李大山",
                                      "scopes": ["photos"], "given_on": "2026-05-02"})])
    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    async with read_db.connect() as conn:
        found = await child_snapshot(conn, "a1", date(2026, 6, 1))
    assert found is not None and found[0].consent  # the consent to pairing given before still stands
