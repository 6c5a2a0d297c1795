"""`aixin submission …` against a whole platform in process (the fixture of test_matching_cli), on
the machine's own clock: Haizhu district submits last month, Guangzhou's approver returns it with a
reason, the district submits again, the city accepts; each step printed with the offices' names,
refusals in one line with their reason and exit code."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from services.projections.submissions.queries import months_over
from tests.e2e.test_matching_cli import admin_headers, aixin, platform, sign_in  # noqa: F401 (a fixture)

OFFICES = {"hz-office": ("440105", "caseworker"), "gz-office": ("4401", "approver")}


async def caught_up(running) -> None:
    await running.projector.wait_for(await running.event_log.last_sequence())


async def test_a_month_submitted_returned_and_accepted_through_the_cli(platform) -> None:  # noqa: F811
    running, info = platform
    async with httpx.AsyncClient(base_url=info.http_url, headers=await admin_headers(running)) as http:
        for username, (office, role) in OFFICES.items():
            created = await http.post("/accounts", json={"username": username, "office": office, "roles": [role],
                                                         "password": f"pw-{username}"})
            assert created.status_code == 201, created.text
    [month] = months_over(datetime.now(UTC).date(), 1)
    await sign_in(platform, "hz-office")
    assert await aixin(platform, "submission", "submit", "440105", "2026-13") == (
        2, "error: a month is written YYYY-MM, e.g. 2026-11; '2026-13' is not")
    code, out = await aixin(platform, "submission", "submit", "440105", month)
    assert code == 0 and f"Submitted {month} of 海珠区 (440105)" in out, out
    code, out = await aixin(platform, "submission", "submit", "440105", month)
    assert code == 1 and "already submitted, awaiting review by 4401" in out, out

    await sign_in(platform, "gz-office")
    code, out = await aixin(platform, "submission", "return", "440105", month, "--reason", "走访次数与台账不符")
    assert code == 0 and "Returned" in out, out
    await caught_up(running)
    code, out = await aixin(platform, "submission", "list", "4401", "--month", month)
    assert code == 0 and "海珠区 (440105)" in out and "已退回" in out and "走访次数" in out, out

    await sign_in(platform, "hz-office")
    assert (await aixin(platform, "submission", "submit", "440105", month))[0] == 0
    await sign_in(platform, "gz-office")
    code, out = await aixin(platform, "submission", "accept", "440105", month)
    assert code == 0 and "it is locked" in out, out
    await caught_up(running)
    code, out = await aixin(platform, "submission", "show", "440105", month, "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["round"], [s["step"] for s in shown["steps"]]) == (
        "accepted", 2, ["submitted", "returned", "submitted", "accepted"])
    code, out = await aixin(platform, "submission", "list", "440105", "--count", "1", "--json")
    assert json.loads(out)["months"][0]["status"] == "accepted"
    code, out = await aixin(platform, "submission", "list", "51")
    assert code == 1 and "outside" in out, out  # outside her subtree
