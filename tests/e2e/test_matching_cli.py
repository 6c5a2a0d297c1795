"""`aixin match …` and the matching HTTP endpoints against a whole platform in process (embedded
nats-server, services, projector, HTTP API): suggest, batch (and propose it), approve, pools,
rematch queue and pairs per mode. The CLI signs in as the accounts of the offices involved (`aixin
login`): a caseworker proposes, approvers of other offices approve; without a session it acts as the
national admin of credential.json."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from contracts.subjects import command_subject
from services.cli.app import app
from services.pairing.app import ROUTES
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.platform.embedded_nats import free_port
from services.shared.endpoints import decode_reply
from tests.log.matching_cases import LIFECYCLE, setup_steps

# username: (office, role); each signs in with the password "pw-" + username
ACCOUNTS = {"hz-caseworker": ("440105", "caseworker"), "nhx-approver": ("440105001", "approver"),
            "c1-approver": ("440105001101", "approver")}


@pytest.fixture
async def platform(tmp_path: Path):
    running = Platform(Settings(data_dir=tmp_path / "data", http_port=free_port()))
    info = await running.start()
    for actor, command, fields in setup_steps() + LIFECYCLE:  # the history, as the services take it
        context, model = context_and_model(command)
        message = await running.nc.request(command_subject(context, command),
                                           model(actor=actor, **fields).model_dump_json().encode(), timeout=30)
        reply = decode_reply(message.data)
        assert reply.ok, (command, reply.error)
    await running.projector.wait_for(await running.event_log.last_sequence())
    async with httpx.AsyncClient(base_url=info.http_url, headers=await admin_headers(running)) as http:
        for username, (office, role) in ACCOUNTS.items():
            created = await http.post("/accounts", json={"username": username, "office": office, "roles": [role],
                                                         "password": f"pw-{username}"})
            assert created.status_code == 201, created.text
    yield running, info
    await running.stop()


async def admin_headers(running: Platform) -> dict[str, str]:
    credential = json.loads((running.settings.data_dir / "credential.json").read_text())
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running.settings.http_port}") as http:
        response = await http.post("/auth/token", data=credential)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def context_and_model(command: str):
    """The context that answers a command of the history, and its model."""
    from services.activity.app import ROUTES as ACTIVITY
    from services.intake.app import ROUTES as INTAKE
    for context, routes in (("pairing", ROUTES), ("intake", INTAKE), ("activity", ACTIVITY)):
        if command in routes:
            return context, routes[command][0]
    raise KeyError(f"no context answers {command!r}")


async def aixin(platform, *args: str, input: str | None = None) -> tuple[int, str]:
    """Run the CLI in a thread: it calls the HTTP API that this test's event loop serves."""
    running, _ = platform
    result = await asyncio.to_thread(CliRunner().invoke, app, [*args, "--data-dir", str(running.settings.data_dir)],
                                     input=input)
    # Tables and messages are wrapped to the terminal's width: compare them with spaces unwrapped.
    return result.exit_code, result.output if "--json" in args else " ".join(result.output.split())


async def test_suggest_batch_propose_and_approve_through_the_cli(platform) -> None:
    running, info = platform
    code, out = await aixin(platform, "match", "suggest", "a3", "--json", "--top", "2")
    assert code == 0, out
    suggestions = json.loads(out)
    assert [c["volunteer_id"] for c in suggestions["candidates"]] == ["m7", "f1"]
    assert {"points": 12, "reason": "need 'psychological_counselling' met by specialty '心理咨询'", "kind": "need",
            "facts": {"need": "psychological_counselling", "specialty": "心理咨询"}} in suggestions["candidates"][0]["reasons"]

    await sign_in(platform, "hz-caseworker")
    code, out = await aixin(platform, "match", "batch", "440105", "--json")
    assert code == 0, out
    proposal = json.loads(out)
    assert {p["child_id"] for p in proposal["proposals"]} == {"a2", "a3", "b2"}
    assert proposal["proposals"][0]["child_id"] == "a3"  # red tier first
    assert proposal["proposals"][0]["child_name"] == "小a3"  # a caseworker sees names
    # As people read it: children and volunteers named, and the ids `match approve` takes.
    code, out = await aixin(platform, "match", "batch", "440105", "--propose")
    assert code == 0, out
    assert "小a3 (a3)" in out and "proposed 3, refused 0" in out
    sent = re.findall(r"proposal (\w+): 小(\w+) \(\w+\) with \S+ \((\w+)\) — approve with: aixin match approve \1", out)
    assert {child for _, child, _ in sent} == {"a2", "a3", "b2"}, out
    proposal["sent"] = {"proposed": [pair_id for pair_id, child, _ in sent if child == "a3"]}

    code, out = await aixin(platform, "match", "approve", proposal["sent"]["proposed"][0])
    assert code == 1 and "needs the role approver" in out  # a caseworker does not approve
    await sign_in(platform, "c1-approver")
    code, out = await aixin(platform, "match", "approve", proposal["sent"]["proposed"][0])
    assert code == 1 and "street office or above" in out  # a community office may not approve
    await sign_in(platform, "nhx-approver")
    code, out = await aixin(platform, "match", "approve", proposal["sent"]["proposed"][0])
    assert code == 0 and "PairApproved, PairFormed" in out
    assert "— 小a3 (a3) with " in out, out  # whom the pair links, named for an approver
    await running.projector.wait_for(await running.event_log.last_sequence())
    history = await http_get(platform, f"/history/pair/{proposal['sent']['proposed'][0]}")
    assert [(e["event_type"], e["actor"]["operator_id"]) for e in history["events"]][:2] == [
        ("PairProposed", "hz-caseworker"), ("PairApproved", "nhx-approver")]

    code, out = await aixin(platform, "match", "batch", "440105001", "--json")
    again = json.loads(out)
    assert again["proposals"] == []  # every child is paired or awaits approval of its proposal
    assert again["unmatched"] == []  # children paired, or with a proposal, are not "unmatched"
    reasons = {u["child_id"]: u["reasons"] for u in again["set_aside"]}
    assert reasons["a3"] == [f"already cared for in pair {proposal['sent']['proposed'][0]}"]
    assert reasons["a2"][0].startswith("a proposal awaits approval")
    code, out = await aixin(platform, "match", "batch", "440105001")
    assert "unmatched" not in out and "needs no new pair: 小a3 (a3): already cared for" in out
    code, out = await aixin(platform, "match", "suggest", "a3")
    assert "child 小a3 (a3) cannot be paired now" in out and "a child who may be paired" not in out, out

    code, out = await aixin(platform, "logout")
    assert code == 0 and "signed out (nhx-approver)" in out  # the national admin of credential.json again
    code, out = await aixin(platform, "match", "modes", "CN", "--json")
    assert json.loads(out)["modes"][proposal["proposals"][0]["mode"]]["approved"] >= 1
    for command in (["match", "pools", "440105"], ["match", "rematch", "440105"], ["match", "modes", "4401"],
                    ["match", "suggest", "b2"], ["match", "batch", "440105"]):
        code, out = await aixin(platform, *command)
        assert code == 0, (command, out)


async def sign_in(platform, username: str) -> None:
    code, out = await aixin(platform, "login", username, "--password-stdin", input=f"pw-{username}\n")
    assert code == 0 and f"signed in as {username}" in out, out


async def http_get(platform, path: str) -> dict:
    running, info = platform
    async with httpx.AsyncClient(base_url=info.http_url, headers=await admin_headers(running)) as http:
        response = await http.get(path)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_http_endpoints_answer_and_refuse_clearly(platform) -> None:
    running, info = platform
    async with httpx.AsyncClient(base_url=info.http_url) as http:
        assert (await http.get("/regions/440105/pools")).status_code == 401  # not signed in
        http.headers.update(await admin_headers(running))
        pools = (await http.get("/regions/440105/pools", params={"members": "pairing"})).json()
        assert [v["volunteer_id"] for v in pools["volunteers"]] == ["m1", "m7", "f1"]
        queue = (await http.get("/regions/440105001/rematch-queue")).json()
        assert [e["child_id"] for e in queue["children"]] == ["a2", "a3", "b2"]
        assert queue["children"][2]["suggestions"]["candidates"][0]["volunteer_id"] == "f1"
        assert (await http.get("/regions/4401/batch-proposal")).status_code == 422  # a city is too wide
        assert (await http.get("/children/nobody/suggestions")).status_code == 404
        assert (await http.get("/regions/440105/pools", params={"members": "x"})).status_code == 422
