"""`aixin queue …` and `aixin children` against a whole platform in process (the fixture of
test_matching_cli): the work lists answer within the account's subtree, name children only for
roles that see personal data, and listings say when they are cut."""

from __future__ import annotations

import json

import httpx

from tests.e2e.test_matching_cli import admin_headers, aixin, platform, sign_in  # noqa: F401 (a fixture)


async def test_work_lists_and_cut_listings_through_the_cli(platform) -> None:  # noqa: F811
    running, info = platform
    code, out = await aixin(platform, "queue", "at-risk", "440105", "--json")
    assert code == 0, out
    at_risk = json.loads(out)
    assert at_risk["children"][0]["child_id"] == "a3" and at_risk["children"][0]["tier"] == "red"
    assert at_risk["children"][0]["name"] == "小a3"  # the national admin is also a caseworker
    code, out = await aixin(platform, "queue", "at-risk", "440105")
    assert code == 0 and "小a3 (a3)" in out and f"{at_risk['total']} unpaired children at risk" in out, out
    for command in ("reminders", "overdue"):
        code, out = await aixin(platform, "queue", command, "440105")
        assert code == 0, (command, out)

    code, out = await aixin(platform, "children", "440105", "--limit", "2")
    assert code == 0, out
    total = json.loads((await aixin(platform, "children", "440105", "--json"))[1])["total"]
    assert total > 2 and f"children 1–2 of {total} (more with --offset 2" in out, out

    async with httpx.AsyncClient(base_url=info.http_url, headers=await admin_headers(running)) as http:
        created = await http.post("/accounts", json={"username": "gd-viewer", "office": "44", "roles": ["viewer"],
                                                     "password": "pw-gd-viewer"})
        assert created.status_code == 201, created.text
        assert (await http.get("/regions/45/queues/unpaired-at-risk")).status_code == 200
    await sign_in(platform, "gd-viewer")
    code, out = await aixin(platform, "queue", "at-risk", "440105", "--json")
    assert code == 0 and "name" not in json.loads(out)["children"][0]  # a viewer sees no personal data
    code, out = await aixin(platform, "queue", "reminders", "51")
    assert code == 1 and "51" in out, out  # outside her subtree
