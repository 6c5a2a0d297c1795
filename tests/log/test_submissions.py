"""The monthly submission on a real nats-server, through the endpoint layer, with the read models
built from the log: Haizhu district submits May, Guangzhou returns it with a reason, the district
submits again, the city accepts; May is then locked, and a visit dated in May logged afterwards is
recorded by the adjustment process as May's adjustment, once, with its deltas; the read model
replayed from the log is the same."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from contracts.envelope import Actor, FederationLevel
from contracts.regions import known_region
from contracts.replies import ErrorCode
from services.platform.adjustments import AdjustmentProcess
from services.projections import all_projections
from services.projections.submissions.queries import (late_sub_offices, office_months, sub_office_months,
                                                      submission_of)
from services.projections.submissions.model import Submissions, steps, submissions
from services.projections.submissions.snapshot import month_snapshot
from services.reporting.app import ROUTES as REPORTING
from services.shared.db import make_engine
from services.shared.endpoints import execute
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps
from tests.log.projection_cases import catch_up, running, send

HAIZHU = Actor(operator_id="hz", level=FederationLevel.district, region="440105", role="caseworker")
GUANGZHOU = Actor(operator_id="gz", level=FederationLevel.city, region="4401", role="caseworker")
GUANGDONG = Actor(operator_id="gd", level=FederationLevel.province, region="44", role="caseworker")
JUNE_1 = date(2026, 6, 1)  # the day the test's clock says


def _programme(tag: str, community: str) -> list[tuple[str, dict]]:
    """A child and a trained volunteer of a community, paired and called on 10 May."""
    return [("register_child", {"child_id": f"c-{tag}", "region": community, "name": "李小花", "sex": "female",
                                "birth_date": "2016-03-08", "category": "left_behind"}),
            ("record_consent", {"child_id": f"c-{tag}", "relation": "grandparent", "given_by": "李大山",
                                "scopes": ["pairing"], "given_on": "2026-05-10"}),
            ("recruit_volunteer", {"volunteer_id": f"v-{tag}", "region": community, "name": "王芳",
                                   "sex": "female", "kind": "mother"}),
            ("record_training", {"topic": "minors_protection_law", "held_on": "2026-05-10",
                                 "volunteer_ids": [f"v-{tag}"]}),
            ("form_pair", {"pair_id": f"p-{tag}", "mode": "one_to_one", "child_ids": [f"c-{tag}"],
                           "volunteer_ids": [f"v-{tag}"], "formed_on": "2026-05-10"}),
            ("log_visit", {"pair_id": f"p-{tag}", "visit_id": f"visit-{tag}", "kind": "phone_call",
                           "visited_on": "2026-05-10", "duration_minutes": 30})]


@pytest.fixture
async def world(event_log, keys, tmp_path):
    """May in Haizhu (440105) and Conghua (440117), entered on 10 May; the clock then moves to 1 June."""
    today = [datetime(2026, 5, 10, 9, 0, tzinfo=UTC)]
    deps = Deps(log=event_log, keys=keys, clock=lambda: today[0])
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, db, all_projections())
    await projector.create_schema()
    await send(deps, [*_programme("hz", "440105001101"), *_programme("ch", "440117001001")])
    today[0] = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    async with running(projector):
        await catch_up(projector, event_log)
        yield deps, db, projector
    await db.dispose()


async def reporting(deps, command: str, actor: Actor, **fields):
    model, handler = REPORTING[command]
    return await execute(deps, model, handler, json.dumps({"actor": actor.model_dump(mode="json"), **fields}).encode())


async def submit(deps, db, actor: Actor = HAIZHU, office: str = "440105", **fields):
    """As the HTTP API sends it: the figures and the sub-offices awaited read from the ledger."""
    async with db.connect() as conn:
        figures, subs = await month_snapshot(conn, known_region(office), "2026-05")
    return await reporting(deps, "submit_month", actor, office=office, month="2026-05", figures=figures,
                           sub_offices=subs, **fields)


async def test_submit_return_resubmit_accept_lock_and_adjust(event_log, world, tmp_path) -> None:
    deps, db, projector = world
    first = await submit(deps, db)
    assert first.ok, first.error
    assert first.result["submission_id"] == "440105-2026-05"

    refused = await reporting(deps, "return_submission", GUANGDONG, office="440105", month="2026-05", reason="错")
    assert (refused.error.code, "directly above 440105 (4401)" in refused.error.message) == (ErrorCode.forbidden, True)
    returned = await reporting(deps, "return_submission", GUANGZHOU, office="440105", month="2026-05",
                               reason="结对数与台账不符，请核对")
    assert returned.ok, returned.error
    assert (await submit(deps, db)).ok
    assert (await reporting(deps, "accept_submission", GUANGZHOU, office="440105", month="2026-05")).ok

    locked = await submit(deps, db)
    assert (locked.error.code, "accepted and locked" in locked.error.message) == (ErrorCode.rule_violated, True)
    history = [e.envelope.event_type for e in (await event_log.load("submission", "440105-2026-05")).events]
    assert history == ["MonthSubmitted", "SubmissionReturned", "MonthSubmitted", "SubmissionAccepted"]

    await catch_up(projector, event_log)
    adjuster = AdjustmentProcess(deps, db)
    assert await adjuster.tick() == []  # nothing changed since the acceptance
    await send(deps, [("log_visit", {"pair_id": "p-hz", "visit_id": "late-visit", "kind": "home_visit",
                                     "visited_on": "2026-05-28", "duration_minutes": 60})])
    await catch_up(projector, event_log)
    assert await adjuster.tick() == ["440105-2026-05"]
    await catch_up(projector, event_log)
    assert await adjuster.tick() == []  # recorded once

    [*_, adjusted] = (await event_log.load("submission", "440105-2026-05")).events
    assert adjusted.envelope.event_type == "MonthAdjusted"
    assert adjusted.event.deltas["activities"] == 1 and adjusted.event.deltas["activities_kind_home_visit"] == 1
    async with db.connect() as conn:
        month = await submission_of(conn, known_region("440105"), "2026-05")
        mine = await office_months(conn, known_region("440105"), JUNE_1, count=2)
        subs = await sub_office_months(conn, known_region("4401"), "2026-05", date(2026, 6, 8))
        late = await late_sub_offices(conn, known_region("4401"), date(2026, 6, 8), count=2)
    assert (month["status"], month["round"], month["reason"]) == ("accepted", 2, "结对数与台账不符，请核对")
    assert month["figures"]["activities"] == month["figures_submitted"]["activities"] + 1
    assert [a["deltas"]["activities"] for a in month["adjustments"]] == [1]
    assert [s["step"] for s in month["steps"]] == ["submitted", "returned", "submitted", "accepted", "adjusted"]
    assert [(m["month"], m["status"]) for m in mine] == [("2026-05", "accepted"), ("2026-04", "not submitted")]
    by_office = {s["office"]: s for s in subs}
    assert by_office["440105"]["status"] == "accepted"
    assert (by_office["440117"]["status"], by_office["440117"]["days_late"]) == ("not submitted", 3)
    assert subs[0]["late"]  # the late first
    # whom the city reminds: every district but Haizhu for May (due 5 June), every one for April
    assert ("440105", "2026-05") not in {(row["office"], row["month"]) for row in late}
    assert {("440117", "2026-05"), ("440105", "2026-04")} <= {(row["office"], row["month"]) for row in late}
    assert late[0]["days_late"] == max(row["days_late"] for row in late) == 34  # April's, due 5 May

    # replayed from the log into an empty database, the read model is the same, row for row
    again = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'again.db'}")
    rebuilt = Projector(event_log, again, [Submissions()])
    await rebuilt.create_schema()
    async with running(rebuilt):
        await catch_up(rebuilt, event_log)
    assert await rows(again) == await rows(db)
    await again.dispose()


async def rows(engine) -> list[list]:
    async with engine.connect() as conn:
        return [sorted(map(tuple, await conn.execute(select(table)))) for table in (submissions, steps)]


async def test_a_city_waits_for_its_districts_or_says_why(event_log, world) -> None:
    deps, db, _ = world
    waiting = await submit(deps, db, GUANGZHOU, "4401")
    assert waiting.error.code is ErrorCode.rule_violated
    assert "440105 (not submitted), 440117 (not submitted)" in waiting.error.message
    assert (await submit(deps, db)).ok
    sent = await submit(deps, db, GUANGZHOU, "4401", explanations={"440117": "从化区换届，下月补报"})
    assert sent.ok, sent.error
    [stored] = (await event_log.load("submission", "4401-2026-05")).events
    assert stored.event.sub_offices == {"440105": "submitted", "440117": "explained"}


async def test_refusals_name_their_reason(world) -> None:
    deps, db, _ = world
    not_over = await reporting(deps, "submit_month", HAIZHU, office="440105", month="2026-06")
    assert (not_over.error.code, "not over" in not_over.error.message) == (ErrorCode.invalid, True)
    not_theirs = await submit(deps, db, HAIZHU, "440117")
    assert not_theirs.error.code is ErrorCode.forbidden
    nothing = await reporting(deps, "accept_submission", GUANGZHOU, office="440105", month="2026-05")
    assert nothing.error.code is ErrorCode.not_found
    no_reason = await reporting(deps, "return_submission", GUANGZHOU, office="440105", month="2026-05", reason="")
    assert [d.loc for d in no_reason.error.details] == [["reason"]]
