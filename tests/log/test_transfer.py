"""A child moving from Guangdong to Sichuan, on a real nats-server: the file's history follows the
child across regions, each side's subscribers learn of the move, the figures move at all six levels
on both sides (read models on SQLite and PostgreSQL), and concurrent moves do not both happen."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.regions import parse_region
from contracts.replies import ErrorCode
from contracts.subjects import STREAM, event_subject, subtree_filter
from contracts.envelope import Actor, FederationLevel
from services.intake.domain import child_state
from services.projections.children_directory import children_in
from services.projections.figures.queries import figures_as_of
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import error_of, ok, pairable_child, send, trained_volunteers
from tests.log.test_projections import projector, read_db  # noqa: F401  (fixtures: SQLite and PostgreSQL)

OLD = "440105001101"  # 下渡社区 of 海珠区, 广州, 广东 (where pairable_child lives)
NEW = "510623100004"  # 公园街社区, 凯江镇, 中江县, 德阳, 四川
THIRD = "440117001001"  # 新城社区, 街口街道, 从化区, 广州
OLD_SIDE = ("44", "4401", "440105", "440105001", OLD)
NEW_SIDE = ("51", "5106", "510623", "510623100", NEW)
VOLUNTEER_HOME = "440105001102"  # trained_volunteers recruits there
# The figure ledger's (the stats route's) figures a move touches: stocks (children, paired, by tier)
# move with the child on its day; flows (registered, moved in/out, exited) stay where they happened.
FIGURES = ("children", "children_registered", "children_paired", "active_pairs", "pairs_formed", "pairs_ended",
           "children_moved_in", "children_moved_out", "children_exited", "children_tier_red",
           "children_tier_orange", "volunteers_recruited")
EXITS = ("parents_returned", "aged_out")


def subject(region: str, child_id: str, aggregate_type: str = "child") -> str:
    return event_subject(parse_region(region), aggregate_type, child_id)


async def history(event_log, child_id: str, aggregate_type: str = "child"):
    return (await event_log.load(aggregate_type, child_id)).events


async def paired_child(deps) -> tuple[str, str]:
    child_id = await pairable_child(deps)
    [volunteer_id] = await trained_volunteers(deps)
    pair_id = (await ok(deps, "form_pair", child_ids=[child_id], volunteer_ids=[volunteer_id]))["pair_id"]
    return child_id, pair_id


def expected(leaves: dict[str, dict[str, int]], code: str) -> dict[str, int]:
    prefix = parse_region(code).prefix
    found = [f for leaf, f in leaves.items() if leaf.startswith(prefix)]
    return {name: sum(f.get(name, 0) for f in found) for name in FIGURES}


async def figures(conn, code: str) -> dict[str, int]:
    found = await figures_as_of(conn, parse_region(code), date.max)
    return {name: found[name] for name in FIGURES}


async def exits_by_reason(conn, code: str) -> dict[str, int]:
    found = await figures_as_of(conn, parse_region(code), date.max)
    return {reason: n for reason in EXITS if (n := found[f"children_exited_reason_{reason}"])}


async def assert_figures(engine: AsyncEngine, leaves: dict[str, dict[str, int]]) -> None:
    async with engine.connect() as conn:
        have = {code: await figures(conn, code) for code in ("CN", *OLD_SIDE, *NEW_SIDE)}
    assert have == {code: expected(leaves, code) for code in have}


# --- the figures, on both backends ---

async def test_the_figures_move_with_the_child_at_every_level(
    deps, event_log, keys, projector, read_db,  # noqa: F811
) -> None:
    child_id, pair_id = await paired_child(deps)
    await ok(deps, "assess_risk", child_id=child_id, tier="red", reason="抑郁迹象")
    async with running(projector):
        await catch_up(projector, event_log)
        before = {OLD: dict(children=1, children_registered=1, children_paired=1, active_pairs=1, pairs_formed=1,
                            children_tier_red=1),
                  VOLUNTEER_HOME: dict(volunteers_recruited=1)}
        await assert_figures(read_db, before)

        await ok(deps, "transfer_child", child_id=child_id, to_region=NEW)
        await ok(deps, "assess_risk", child_id=child_id, tier="orange", reason="好转")
        # Her care tier goes on from where it was, now stored in her new region.
        tiers = await history(event_log, child_id, "child_care")
        assert [(e.event.previous_tier, e.event.tier, e.subject) for e in tiers] == [
            (None, "red", subject(OLD, child_id, "child_care")),
            ("red", "orange", subject(NEW, child_id, "child_care"))]
        await catch_up(projector, event_log)
        # The child, its being paired and its tier leave Guangdong for Sichuan; its registration
        # and the pair itself stay where they happened. Nationally only the move itself shows.
        moved = {OLD: dict(children_registered=1, active_pairs=1, pairs_formed=1, children_moved_out=1),
                 VOLUNTEER_HOME: dict(volunteers_recruited=1),
                 NEW: dict(children=1, children_paired=1, children_moved_in=1, children_tier_orange=1)}
        await assert_figures(read_db, moved)
        national = expected(moved, "CN")
        assert (national["children"], national["children_paired"]) == (1, 1)
        async with read_db.connect() as conn:
            [row] = await children_in(conn, keys, parse_region("51"))
            assert await children_in(conn, keys, parse_region("44")) == []
        assert (row["child_id"], row["region"], row["paired"], row["tier"]) == (child_id, NEW, True, "orange")
        assert row["name"] == "李小花"

        # The pair ends (its end counted where it is owned, the child's leaving where the child
        # now lives); then the child leaves the programme, counted in Sichuan by reason. A child
        # who never moved leaves in Guangdong for another reason.
        await ok(deps, "end_pair", pair_id=pair_id, reason="moved")
        await ok(deps, "exit_child", child_id=child_id, reason="parents_returned", exited_on="2026-06-01")
        await ok(deps, "register_child", child_id="c-stays", region=VOLUNTEER_HOME, name="陈明",
                 sex="male", birth_date="2009-01-01", category="in_difficulty", subtype="orphaned",
                 registered_on="2025-09-01")
        await ok(deps, "exit_child", child_id="c-stays", reason="aged_out", exited_on="2026-05-31")
        await catch_up(projector, event_log)
    await assert_figures(read_db, {  # an exit takes the child off every stock, where it lives
        OLD: dict(children_registered=1, pairs_formed=1, pairs_ended=1, children_moved_out=1),
        VOLUNTEER_HOME: dict(volunteers_recruited=1, children_registered=1, children_exited=1),
        NEW: dict(children_moved_in=1, children_exited=1),
    })
    async with read_db.connect() as conn:
        exits = {code: await exits_by_reason(conn, code)
                 for code in ("CN", "44", "4401", OLD, VOLUNTEER_HOME, "51", NEW, "32")}
    assert exits == {"CN": {"parents_returned": 1, "aged_out": 1}, "44": {"aged_out": 1},
                     "4401": {"aged_out": 1}, OLD: {}, VOLUNTEER_HOME: {"aged_out": 1},
                     "51": {"parents_returned": 1}, NEW: {"parents_returned": 1}, "32": {}}


async def test_a_rebuild_gives_the_same_figures_after_a_move(
    deps, event_log, projector, read_db,  # noqa: F811
) -> None:
    child_id, _ = await paired_child(deps)
    await ok(deps, "assess_risk", child_id=child_id, tier="red", reason="抑郁迹象")
    await ok(deps, "transfer_child", child_id=child_id, to_region=NEW)
    await ok(deps, "transfer_child", child_id=child_id, to_region=THIRD)  # on again, within Guangdong
    async with running(projector):
        await catch_up(projector, event_log)
        reports = await projector.replay()
    assert [(r.projection, r.equal) for r in reports] == [(name, True) for name in projector.projections]
    await assert_figures(read_db, {
        OLD: dict(children_registered=1, active_pairs=1, pairs_formed=1, children_moved_out=1),
        VOLUNTEER_HOME: dict(volunteers_recruited=1),
        NEW: dict(children_moved_in=1, children_moved_out=1),
        THIRD: dict(children=1, children_paired=1, children_moved_in=1, children_tier_red=1),
    })
    async with read_db.connect() as conn:
        assert (await figures(conn, "4401"))["children_paired"] == 1  # 海珠 → 从化
        assert (await figures(conn, "440117"))["children_tier_red"] == 1


# --- the log: history, subjects, subscribers ---

async def test_the_history_follows_the_child_across_regions(deps, event_log) -> None:
    child_id, _ = await paired_child(deps)
    result = await ok(deps, "transfer_child", child_id=child_id, to_region=NEW)
    assert [e["event_type"] for e in result["events"]] == ["ChildTransferredOut", "ChildTransferredIn"]
    await ok(deps, "assess_risk", child_id=child_id, tier="yellow", reason="复查")

    events = await history(event_log, child_id)
    assert [(e.envelope.event_type, e.subject, e.envelope.region) for e in events] == [
        ("ChildRegistered", subject(OLD, child_id), OLD),
        ("GuardianConsentGiven", subject(OLD, child_id), OLD),
        ("ChildTransferredOut", subject(OLD, child_id), OLD),
        ("ChildTransferredIn", subject(NEW, child_id), NEW),
    ]
    assert subject(NEW, child_id) == f"aixin.evt.51.5106.510623.510623100.{NEW}.child.{child_id}"
    assert [e.envelope.aggregate_version for e in events] == [1, 2, 3, 4]
    # Her care tier (activity's), set after the move, is stored in the region she lives in now.
    tiers = await history(event_log, child_id, "child_care")
    assert [(e.envelope.event_type, e.subject, e.envelope.region) for e in tiers] == [
        ("ChildRiskAssessed", subject(NEW, child_id, "child_care"), NEW)]
    out, into = events[2], events[3]
    assert into.seq == out.seq + 1  # one atomic batch: nothing between them
    assert out.envelope.causation_id == into.envelope.causation_id
    assert out.envelope.data == {"child_id": child_id, "from_region": OLD, "to_region": NEW,
                                 "transferred_on": "2026-06-01"}
    pairs = await history(event_log, child_id, "pairing_child")  # pairing's, where she was paired
    assert [(e.envelope.event_type, e.subject) for e in pairs] == [
        ("ChildJoinedPair", subject(OLD, child_id, "pairing_child"))]
    assert (into.envelope.data["from_region"], into.envelope.data["active_pair_ids"]) == (OLD, [_pair_of(pairs)])
    state = child_state([e.event for e in events])
    assert (state.region, state.exists) == (NEW, True)

    # And home again: the move out of Sichuan is checked against the Sichuan subject, the move
    # back in against the Guangdong subject the child left.
    await ok(deps, "transfer_child", child_id=child_id, to_region=OLD)
    await ok(deps, "survey_needs", child_id=child_id, needs=["family_affection"], surveyed_on="2026-05-31")
    events = await history(event_log, child_id)
    assert [(e.envelope.event_type, e.subject) for e in events[4:]] == [
        ("ChildTransferredOut", subject(NEW, child_id)),
        ("ChildTransferredIn", subject(OLD, child_id)),
        ("ChildNeedsSurveyed", subject(OLD, child_id)),
    ]


def _pair_of(events) -> str:
    return next(e.envelope.data["pair_id"] for e in events if e.envelope.event_type == "ChildJoinedPair")


async def test_each_sides_subscribers_see_their_half_of_the_move(deps, event_log, nc) -> None:
    js = nc.jetstream()
    sichuan = await js.subscribe(subtree_filter("51"), stream=STREAM, ordered_consumer=True)
    try:
        child_id, _ = await paired_child(deps)
        await ok(deps, "transfer_child", child_id=child_id, to_region=NEW)
        await ok(deps, "assess_risk", child_id=child_id, tier="blue", reason="稳定")
        # A provincial system of Sichuan, following live: the first it hears of the child is the
        # move in, with the file's facts, and what happens to the child afterwards.
        first = await sichuan.next_msg(timeout=5)
        second = await sichuan.next_msg(timeout=5)
    finally:
        await sichuan.unsubscribe()
    assert first.subject == subject(NEW, child_id)
    assert first.headers["Aixin-Event-Type"] == "ChildTransferredIn"
    assert second.headers["Aixin-Event-Type"] == "ChildRiskAssessed"

    # Replaying a subtree from the start: each side has its half of the move and nothing of the other.
    events = await history(event_log, child_id)
    out = next(e for e in events if e.envelope.event_type == "ChildTransferredOut")
    last = await event_log.last_sequence()

    async def seen(code: str, until: int) -> list[str]:
        async def collect() -> list[str]:
            return [e.envelope.event_type async for e in event_log.read(1, subtree_filter(code), until_seq=until)
                    if e.envelope.aggregate_type in ("child", "child_care")]
        return await asyncio.wait_for(collect(), 5)

    after_the_move = ["ChildTransferredIn", "ChildRiskAssessed"]
    before_the_move = ["ChildRegistered", "GuardianConsentGiven", "ChildTransferredOut"]
    assert await seen("51", last) == await seen("510623100", last) == after_the_move
    # Guangdong's subtree ends with the move out: nothing of the child was stored there after it.
    assert await seen("44", out.seq) == await seen(OLD, out.seq) == before_the_move
    assert await seen("CN", last) == before_the_move + after_the_move
    # Per subject, the stream agrees: three of the child's events in Guangdong, two in Sichuan (her
    # file's and her tier's).
    children = {aggregate: (await js.stream_info(STREAM, subjects_filter=f"aixin.evt.*.*.*.*.*.{aggregate}.>")
                            ).state.subjects for aggregate in ("child", "child_care")}
    assert children == {"child": {subject(OLD, child_id): 3, subject(NEW, child_id): 1},
                        "child_care": {subject(NEW, child_id, "child_care"): 1}}


# --- concurrency, retries and refusals ---

@pytest.fixture
def loads_meet(monkeypatch, event_log):
    """Make concurrent commands read the child's history before either writes (the race two
    operators can hit by chance, made certain)."""
    real_load = event_log.load
    arrived: list[int] = []
    both = asyncio.Event()

    async def load(aggregate_type: str, aggregate_id: str):
        found = await real_load(aggregate_type, aggregate_id)
        if not both.is_set():
            arrived.append(1)
            if len(arrived) == 2:
                both.set()
            await asyncio.wait_for(both.wait(), 5)
        return found

    def start() -> None:
        monkeypatch.setattr(event_log, "load", load)

    return start


async def test_of_two_concurrent_transfers_exactly_one_happens(deps, event_log, loads_meet) -> None:
    child_id, _ = await paired_child(deps)
    loads_meet()
    replies = await asyncio.gather(
        send(deps, "transfer_child", child_id=child_id, to_region=NEW),
        send(deps, "transfer_child", child_id=child_id, to_region=THIRD))
    assert sum(r.ok for r in replies) == 1, [r.error for r in replies]
    [refused] = [r for r in replies if not r.ok]
    assert refused.error.code is ErrorCode.conflict, refused.error
    winner = NEW if replies[0].ok else THIRD
    events = await history(event_log, child_id)
    types = [e.envelope.event_type for e in events]
    assert (types.count("ChildTransferredOut"), types.count("ChildTransferredIn")) == (1, 1)
    assert events[-1].subject == subject(winner, child_id)
    assert child_state([e.event for e in events]).region == winner


async def test_concurrent_transfers_to_the_same_place_move_the_child_once(deps, event_log) -> None:
    child_id, _ = await paired_child(deps)
    replies = await asyncio.gather(*(
        send(deps, "transfer_child", child_id=child_id, to_region=NEW) for _ in range(5)))
    assert sum(r.ok for r in replies) == 1
    assert {r.error.code for r in replies if not r.ok} <= {ErrorCode.conflict, ErrorCode.invalid}
    types = [e.envelope.event_type for e in await history(event_log, child_id)]
    assert (types.count("ChildTransferredOut"), types.count("ChildTransferredIn")) == (1, 1)


async def test_a_retried_transfer_is_recognised_and_moves_the_child_once(deps, event_log) -> None:
    child_id, _ = await paired_child(deps)
    first = await ok(deps, "transfer_child", command_id="move-1", child_id=child_id, to_region=NEW)
    again = await ok(deps, "transfer_child", command_id="move-1", child_id=child_id, to_region=NEW)
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert [e["event_id"] for e in again["events"]] == [e["event_id"] for e in first["events"]]
    types = [e.envelope.event_type for e in await history(event_log, child_id)]
    assert types.count("ChildTransferredIn") == 1


async def test_transfers_that_cannot_be_are_refused_and_store_nothing(deps, event_log) -> None:
    child_id, _ = await paired_child(deps)
    stored = await event_log.last_sequence()
    same = await send(deps, "transfer_child", child_id=child_id, to_region=OLD)
    assert error_of(same) == (ErrorCode.invalid, [["to_region"]])
    for not_a_community in ("510623", "510623100", "510623999999"):
        reply = await send(deps, "transfer_child", child_id=child_id, to_region=not_a_community)
        assert error_of(reply) == (ErrorCode.invalid, [["to_region"]]), not_a_community
    unknown = await send(deps, "transfer_child", child_id="nobody", to_region=NEW)
    assert error_of(unknown)[0] is ErrorCode.not_found
    # Both sides of the move must be within the operator's reach.
    sichuan = Actor(operator_id="op-sc", level=FederationLevel.province, region="51")
    guangzhou = Actor(operator_id="op-gz", level=FederationLevel.city, region="4401")
    assert error_of(await send(deps, "transfer_child", actor=sichuan, child_id=child_id,
                               to_region=NEW))[0] is ErrorCode.forbidden
    moving_in = await send(deps, "transfer_child", actor=guangzhou, child_id=child_id, to_region=NEW)
    assert error_of(moving_in)[0] is ErrorCode.forbidden and NEW in moving_in.error.message
    assert await event_log.last_sequence() == stored
    # Within Guangzhou the city's operator moves the child herself.
    await ok(deps, "transfer_child", actor=guangzhou, child_id=child_id, to_region=THIRD)


async def test_an_exited_child_is_not_transferred_and_a_paired_one_does_not_exit(deps, event_log) -> None:
    child_id, pair_id = await paired_child(deps)
    paired = await send(deps, "exit_child", child_id=child_id, reason="withdrawn", exited_on="2026-06-01")
    assert error_of(paired)[0] is ErrorCode.rule_violated and pair_id in paired.error.message
    await ok(deps, "transfer_child", child_id=child_id, to_region=NEW)
    await ok(deps, "end_pair", pair_id=pair_id, reason="moved")
    await ok(deps, "exit_child", child_id=child_id, reason="withdrawn", exited_on="2026-06-01")
    refused = await send(deps, "transfer_child", child_id=child_id, to_region=OLD)
    assert error_of(refused)[0] is ErrorCode.rule_violated and "left the programme" in refused.error.message
    events = await history(event_log, child_id)
    assert (events[-1].envelope.event_type, events[-1].subject) == ("ChildExited", subject(NEW, child_id))
    # Her pairs move with her: she left the pair where she lives now, on pairing's aggregate.
    pairs = await history(event_log, child_id, "pairing_child")
    assert [(e.envelope.event_type, e.subject) for e in pairs] == [
        ("ChildJoinedPair", subject(OLD, child_id, "pairing_child")),
        ("ChildLeftPair", subject(NEW, child_id, "pairing_child"))]
    assert pairs[0].envelope.continues_on is None  # written by another command than the move
