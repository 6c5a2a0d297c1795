"""`aixin match …` and the matching HTTP endpoints against a whole platform in process (embedded
nats-server, services, projector, HTTP API): suggest, batch (and propose it), approve, pools,
rematch queue and pairs per mode."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from services.cli.app import app
from services.cli.client import CommandClient
from services.pairing.app import ROUTES
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.platform.embedded_nats import free_port
from tests.log.matching_cases import LIFECYCLE, setup_steps


@pytest.fixture
async def platform(tmp_path: Path):
    running = Platform(Settings(data_dir=tmp_path / "data", http_port=free_port()))
    info = await running.start()
    async with CommandClient(info.nats_url) as client:
        for actor, command, fields in setup_steps() + LIFECYCLE:
            context = "pairing" if command in ROUTES else "intake"
            model = (ROUTES.get(command) or _intake(command))[0]
            reply = await client.send(context, command, model(actor=actor, **fields))
            assert reply.ok, (command, reply.error)
    await running.projector.wait_for(await running.event_log.last_sequence())
    yield running, info
    await running.stop()


def _intake(command: str):
    from services.intake.app import ROUTES as INTAKE
    return INTAKE[command]


async def aixin(platform, *args: str) -> tuple[int, str]:
    """Run the CLI in a thread: it calls the HTTP API that this test's event loop serves."""
    running, _ = platform
    result = await asyncio.to_thread(CliRunner().invoke, app, [*args, "--data-dir", str(running.settings.data_dir)])
    # Tables and messages are wrapped to the terminal's width: compare them with spaces unwrapped.
    return result.exit_code, result.output if "--json" in args else " ".join(result.output.split())


async def test_suggest_batch_propose_and_approve_through_the_cli(platform) -> None:
    running, info = platform
    code, out = await aixin(platform, "match", "suggest", "a3", "--json", "--top", "2")
    assert code == 0, out
    suggestions = json.loads(out)
    assert [c["volunteer_id"] for c in suggestions["candidates"]] == ["m7", "f1"]
    assert {"points": 12, "reason": "need 'psychological_counselling' met by specialty '心理咨询'"} in \
        suggestions["candidates"][0]["reasons"]

    code, out = await aixin(platform, "match", "batch", "440105", "--json", "--propose", "--office", "440105001",
                            "--operator", "op-nhx")
    assert code == 0, out
    proposal = json.loads(out)
    assert {p["child_id"] for p in proposal["proposals"]} == {"a2", "a3", "b2"}
    assert proposal["proposals"][0]["child_id"] == "a3"  # red tier first
    assert len(proposal["sent"]["proposed"]) == 3 and not proposal["sent"]["refused"]

    code, out = await aixin(platform, "match", "approve", proposal["sent"]["proposed"][0], "--office", "440105001001")
    assert code == 1 and "street office or above" in out  # a community office may not approve
    code, out = await aixin(platform, "match", "approve", proposal["sent"]["proposed"][0], "--office", "440105001")
    assert code == 0 and "PairApproved, PairFormed" in out
    await running.projector.wait_for(await running.event_log.last_sequence())

    code, out = await aixin(platform, "match", "batch", "440105001", "--json")
    again = json.loads(out)
    assert again["proposals"] == []  # every child is paired or awaits approval of its proposal
    reasons = {u["child_id"]: u["reasons"] for u in again["unmatched"]}
    assert reasons["a3"] == [f"already cared for in pair {proposal['sent']['proposed'][0]}"]
    assert reasons["a2"][0].startswith("a proposal awaits approval")

    code, out = await aixin(platform, "match", "modes", "CN", "--json")
    assert json.loads(out)["modes"][proposal["proposals"][0]["mode"]]["approved"] >= 1
    for command in (["match", "pools", "440105"], ["match", "rematch", "440105"], ["match", "modes", "4401"],
                    ["match", "suggest", "b2"], ["match", "batch", "440105"]):
        code, out = await aixin(platform, *command)
        assert code == 0, (command, out)


async def test_the_http_endpoints_answer_and_refuse_clearly(platform) -> None:
    _, info = platform
    async with httpx.AsyncClient(base_url=info.http_url) as http:
        pools = (await http.get("/regions/440105/pools", params={"members": "pairing"})).json()
        assert [v["volunteer_id"] for v in pools["volunteers"]] == ["m1", "m7", "f1"]
        queue = (await http.get("/regions/440105001/rematch-queue")).json()
        assert [e["child_id"] for e in queue["children"]] == ["a2", "a3", "b2"]
        assert queue["children"][2]["suggestions"]["candidates"][0]["volunteer_id"] == "f1"
        assert (await http.get("/regions/4401/batch-proposal")).status_code == 422  # a city is too wide
        assert (await http.get("/children/nobody/suggestions")).status_code == 404
        assert (await http.get("/regions/440105/pools", params={"members": "x"})).status_code == 422
