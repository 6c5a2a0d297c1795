"""The monthly submission through the HTTP API, with the services and read models running on a real
nats-server: Haizhu district (440105) submits November, Guangzhou (4401) returns it with a reason,
the district submits again, the city accepts; November is then locked, and a visit dated in November
logged afterwards shows as November's adjustment. The figures are the platform's: a body naming them
is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from argon2 import PasswordHasher

from contracts.accounts import Role
from services.accounts import passwords
from services.api.app import create_api
from services.platform.adjustments import AdjustmentProcess
from services.platform.web import COMMAND_ROUTES
from services.projections import all_projections
from services.shared.db import make_engine
from services.shared.endpoints import command_broker, command_router
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps
from tests.e2e.test_http_api import add_account, bearer, with_accounts
from tests.log.projection_cases import catch_up, running

CLOCK = [datetime(2026, 11, 10, 9, 0, tzinfo=UTC)]
ACCOUNTS = {"hz": ("440105", Role.caseworker), "gz": ("4401", Role.approver), "gd": ("44", Role.approver),
            "hz-root": ("CN", Role.caseworker)}
COMMUNITY = "440105001101"


@pytest.fixture
async def api(nats_server, nc, event_log, keys, tmp_path, monkeypatch):
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    deps = Deps(log=event_log, keys=keys, clock=lambda: CLOCK[0])
    broker = command_broker(nats_server.url)
    for context, routes in COMMAND_ROUTES.items():
        broker.include_router(command_router(context, routes, deps))
    await broker.start()
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    accounts_db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'accounts.db'}")
    projector = Projector(event_log, db, all_projections())
    await projector.create_schema()
    app = create_api(nc, event_log, db, keys)
    accounts = await with_accounts(app, event_log, accounts_db, tmp_path)
    for username, (office, role) in ACCOUNTS.items():
        await add_account(accounts, username, office, role)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://aixin") as http:
            headers = {name: await bearer(http, name) for name in ACCOUNTS}
            async with running(projector):
                yield http, headers, projector, AdjustmentProcess(deps, db)
    finally:
        await broker.stop()
        await db.dispose()
        await accounts_db.dispose()


async def post(http, headers, who: str, command: str, **body) -> httpx.Response:
    return await http.post(f"/commands/{_context(command)}/{command}", json=body, headers=headers[who])


def _context(command: str) -> str:
    return next(context for context, routes in COMMAND_ROUTES.items() if command in routes)


async def ok(http, headers, who: str, command: str, **body) -> dict:
    reply = await post(http, headers, who, command, **body)
    assert reply.status_code == 201, f"{command}: {reply.text}"
    return reply.json()


async def november_in_haizhu(http, headers) -> None:
    """A child and a volunteer paired on 10 November, with a phone call that day."""
    hz = ("hz-root",)
    await ok(http, headers, *hz, "register_child", child_id="c1", region=COMMUNITY, name="李小花", sex="female",
             birth_date="2016-03-08", category="left_behind")
    await ok(http, headers, *hz, "record_consent", child_id="c1", relation="grandparent", given_by="李大山",
             scopes=["pairing"], given_on="2026-11-10")
    await ok(http, headers, *hz, "recruit_volunteer", volunteer_id="v1", region=COMMUNITY, name="王芳",
             sex="female", kind="mother")
    await ok(http, headers, *hz, "record_training", topic="minors_protection_law", held_on="2026-11-10",
             volunteer_ids=["v1"])
    await ok(http, headers, *hz, "form_pair", pair_id="p1", mode="one_to_one", child_ids=["c1"],
             volunteer_ids=["v1"], formed_on="2026-11-10")
    await ok(http, headers, *hz, "log_visit", pair_id="p1", visit_id="call-1", kind="phone_call",
             visited_on="2026-11-10", duration_minutes=30)


async def test_november_goes_up_is_returned_resubmitted_accepted_locked_and_adjusted(api, event_log) -> None:
    http, headers, projector, adjuster = api
    CLOCK[0] = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    await november_in_haizhu(http, headers)
    await catch_up(projector, event_log)
    month = {"office": "440105", "month": "2026-11"}

    early = await post(http, headers, "hz", "submit_month", **month)
    assert early.status_code == 422 and early.json()["details"][0]["loc"] == ["month"], early.text
    CLOCK[0] = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    forged = await post(http, headers, "hz", "submit_month", **month, figures={"children": 99})
    assert forged.status_code == 422 and forged.json()["details"][0]["loc"] == ["body", "figures"]
    await ok(http, headers, "hz", "submit_month", **month)
    no_reason = await post(http, headers, "gz", "return_submission", **month, reason="")
    assert no_reason.status_code == 422 and no_reason.json()["details"][0]["loc"] == ["body", "reason"]
    not_above = await post(http, headers, "gd", "accept_submission", **month)
    assert not_above.status_code == 403 and "directly above 440105 (4401)" in not_above.json()["message"]
    await ok(http, headers, "gz", "return_submission", **month, reason="走访次数与台账不符，请核对")
    await ok(http, headers, "hz", "submit_month", **month)
    await ok(http, headers, "gz", "accept_submission", **month)
    locked = await post(http, headers, "hz", "submit_month", **month)
    assert locked.status_code == 409 and "accepted and locked" in locked.json()["message"]

    CLOCK[0] = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # a visit of 28 November, logged in December
    await ok(http, headers, "hz-root", "log_visit", pair_id="p1", visit_id="visit-late", kind="home_visit",
             visited_on="2026-11-28", duration_minutes=60)
    await catch_up(projector, event_log)
    assert await adjuster.tick() == ["440105-2026-11"]
    await catch_up(projector, event_log)

    seen = (await http.get("/regions/440105/submissions/2026-11", headers=headers["gz"])).json()
    submitted = seen["submission"]
    assert (submitted["status"], submitted["round"], submitted["reason"]) == ("accepted", 2, "走访次数与台账不符，请核对")
    assert (submitted["figures_submitted"]["activities"], submitted["figures"]["activities"]) == (1, 2)
    assert [a["deltas"]["activities"] for a in submitted["adjustments"]] == [1]
    assert [s["step"] for s in submitted["steps"]] == ["submitted", "returned", "submitted", "accepted", "adjusted"]
    city = (await http.get("/regions/4401/submissions/2026-11", headers=headers["gz"])).json()
    assert {s["office"]: s["status"] for s in city["sub_offices"]}["440105"] == "accepted"
    months = (await http.get("/regions/440105/submissions", params={"count": 2}, headers=headers["hz"])).json()
    assert months["months"][0]["month"] < "2026-12" and months["months"][0]["status"] in {"accepted", "not submitted"}
    outside = await http.get("/regions/4401/submissions/2026-11", headers=headers["hz"])
    assert outside.status_code == 403
