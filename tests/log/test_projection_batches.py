"""Every read model ends with the same rows however the log is cut into batches.

The projections read the rows a batch touches once, apply its events in memory in their order and
write back at its end (services/projections/batch_rows.py); one event per batch is what they did
when they wrote every event's effects at once. A batch holding a whole programme sees children
registered, paired, assessed, moved and exited, and pairs proposed, formed and ended, within it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from services.projections import all_projections
from services.reporting.app import ROUTES as REPORTING
from services.shared.db import make_engine
from services.shared.endpoints import execute
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps
from contracts.envelope import Actor, FederationLevel
from tests.conftest import NATIONAL
from tests.log import matching_cases
from tests.log.care_cases import FakeClock, child, ok, volunteer
from tests.log.figures_cases import programme
from tests.log.projection_cases import snapshot
from tests.log.test_projections import POSTGRES_URL, _fresh_postgres_database

# Tables the programme leaves empty: reminders are raised by the reminder process, not a command here,
# and so no figure is dated after its event (figure_ahead's batch cuts: tests/log/test_figures_rollup.py);
# and its donors are organisations.
EMPTY = {"fund_statement_donor_people", "figure_reminders", "work_reminders", "figure_ahead"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_db(request, tmp_path: Path):
    """`async with fresh_db(name) as url`: a new, empty database for the read models each time."""
    @contextlib.asynccontextmanager
    async def fresh(name: str) -> AsyncIterator[str]:
        if request.param == "sqlite":
            yield f"sqlite+aiosqlite:///{tmp_path / name}.db"
        else:
            async with _fresh_postgres_database(POSTGRES_URL) as url:
                yield url
    return fresh


async def _built(event_log, fresh_db, name: str, cuts: list[int]) -> dict[str, list[str]]:
    """The read models after applying the log in batches of each of `cuts` in turn, on a fresh
    database (a later cut applies the log again, as a replay after a crash would)."""
    async with fresh_db(name) as url:
        return await _applied(event_log, make_engine(url), cuts)


async def _applied(event_log, engine, cuts: list[int]) -> dict[str, list[str]]:
    try:
        projector = Projector(event_log, engine, all_projections())
        await projector.create_schema()
        last = await event_log.last_sequence()
        for size in cuts:
            async for batch in event_log.batches(1, max_batch=size, until_seq=last):
                await projector._apply_batch(batch)
        found = await snapshot(engine)
    finally:
        await engine.dispose()
    return {table: rows for table, rows in found.items() if table != "projection_checkpoints"}


@pytest.fixture
async def whole_programme(event_log, keys) -> None:
    clock = FakeClock(date(2026, 3, 1))
    deps = Deps(log=event_log, keys=keys, clock=clock)
    await programme(deps, clock)  # registrations, pairs, visits, activities, risk, a move, an exit
    clock.set(date(2026, 5, 10))
    # Proposals, approvals, rejections and withdrawals, with a team of their own (t1 is taken).
    steps = [*matching_cases.setup_steps(), *matching_cases.LIFECYCLE, *matching_cases.REMATCH]
    await matching_cases.send(deps, [(actor, command, {k: "tm" if (k, v) == ("team_id", "t1") else v
                                                       for k, v in fields.items()})
                                     for actor, command, fields in steps])
    await _giving_and_concerns(deps, clock)
    await _card_thresholds(deps)
    await _federation_work(deps)


async def _giving_and_concerns(deps, clock: FakeClock) -> None:
    """A concern followed to its close and one left open; a fund's donations, allocations and a
    release, and a gift pack: each fund line's balance follows from the lines before it."""
    clock.set(date(2026, 6, 2))
    await child(deps, "g1", date(2015, 6, 1), on="2026-05-01")
    for kind in ("depression_signs", "schooling"):
        concern = (await ok(deps, "raise_concern", child_id="g1", kind=kind, raised_on="2026-05-20",
                            note="不愿说话", tier="orange"))["concern_id"]
        await ok(deps, "refer_concern", concern_id=concern, professional="psychological_counsellor",
                 professional_name="海珠区心理咨询中心", referred_on="2026-05-22", tier="red")
        await ok(deps, "follow_up_concern", concern_id=concern, followed_up_on="2026-05-29", note="按时咨询")
    await ok(deps, "close_concern", concern_id=concern, outcome="resolved", closed_on="2026-06-01", tier="blue")
    donor = (await ok(deps, "register_donor", region="440105", name="另一爱心企业"))["donor_id"]
    fund = (await ok(deps, "open_fund", region="440105", name="海珠助学基金", opened_on="2026-05-01"))["fund_id"]
    for amount in ("500.50", "99.50"):
        await ok(deps, "receive_donation", fund_id=fund, donor_kind="enterprise", donor_id=donor,
                 amount_yuan=amount, received_on="2026-05-20")
    wish = (await ok(deps, "submit_wish", child_id="g1", item="书包", estimated_cost_yuan=120))["wish_id"]
    await ok(deps, "approve_wish", wish_id=wish)
    await ok(deps, "pledge_wish", wish_id=wish, donor_kind="enterprise", donor_id=donor, fund_id=fund)
    await ok(deps, "deliver_gift_pack", child_id="g1", delivered_on="2026-05-21", team_id="t1", fund_id=fund,
             amount_yuan="88.80")
    await ok(deps, "cancel_wish", wish_id=wish, reason="no_longer_needed")  # its 120 yuan come back
    # Two children registered at their county: one's village is completed after she was paired.
    for county_child in ("k1", "k2"):
        await child(deps, county_child, date(2014, 3, 1), region="440105000000")
    await volunteer(deps, "vk")
    await ok(deps, "form_pair", pair_id="pk", child_ids=["k1"], volunteer_ids=["vk"])
    await ok(deps, "complete_child_place", child_id="k1", region="440105001102")


async def _card_thresholds(deps) -> None:
    """The nation's thresholds for the 通报's cards, and a city's, set twice."""
    model, handler = REPORTING["set_card_thresholds"]
    for office, fields in (("CN", {}), ("4401", {"coverage_yellow": 90}), ("4401", {"from_month": "2026-04"})):
        body = json.dumps({"actor": NATIONAL.model_dump(mode="json"), "office": office, **fields}).encode()
        assert (await execute(deps, model, handler, body)).ok, office


HAIZHU = Actor(operator_id="haizhu", level=FederationLevel.district, region="440105", role="caseworker")
GUANGZHOU = Actor(operator_id="guangzhou", level=FederationLevel.city, region="4401", role="approver")


async def _reporting(deps, actor: Actor, command: str, **fields) -> None:
    model, handler = REPORTING[command]
    body = json.dumps({"actor": actor.model_dump(mode="json"), **fields}).encode()
    assert (await execute(deps, model, handler, body)).ok, command


async def _federation_work(deps) -> None:
    """May submitted by Haizhu, returned by Guangzhou, submitted again and accepted; a volunteer of
    Haizhu nominated for 最美爱心妈妈 and awarded (the figures and the record as the API fills them in)."""
    month = {"office": "440105", "month": "2026-05"}
    await _reporting(deps, HAIZHU, "submit_month", **month, figures={"children_on_file": 5})
    await _reporting(deps, GUANGZHOU, "return_submission", **month, reason="结对数与台账不符")
    await _reporting(deps, HAIZHU, "submit_month", **month, figures={"children_on_file": 5})
    await _reporting(deps, GUANGZHOU, "accept_submission", **month)
    record = {"as_of": "2026-06-02", "service_minutes": 90, "activities": 3, "pairs": 1, "children": 1,
              "five_ones_judged": 2, "five_ones_met": 1, "wishes_fulfilled": 0}
    await _reporting(deps, HAIZHU, "nominate_volunteer", volunteer_id="vk", year=2026, record=record)
    await _reporting(deps, GUANGZHOU, "award_volunteer", nomination_id="2026-vk")


async def test_any_cutting_of_the_log_into_batches_gives_the_same_rows(whole_programme, event_log, fresh_db) -> None:
    one_by_one = await _built(event_log, fresh_db, "one", [1])
    assert [table.name for p in all_projections() for table in p.tables
            if not one_by_one[table.name] and table.name not in EMPTY] == []
    assert await _built(event_log, fresh_db, "all", [1000]) == one_by_one
    assert await _built(event_log, fresh_db, "sevens", [7, 3]) == one_by_one
    assert await _built(event_log, fresh_db, "again", [1000, 1000, 5]) == one_by_one
