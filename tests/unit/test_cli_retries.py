"""The CLI's command client sends a command again after a 503 or a lost answer, with the same
command id (so the platform applies it once), after pauses that grow, and says so once on standard
error; a refusal is not sent again."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from contracts.intake.registration import ChildCategory, RegisterChild, Sex
from services.cli import resend
from services.cli.client import Connection, HttpCommands, NotRunning
from services.platform.settings import RuntimeInfo
from tests.conftest import NATIONAL


class SignedIn:
    username, renewable = "gd44", False

    async def aheaders(self, http, renew: bool = False) -> dict:
        return {"Authorization": "Bearer t"}


def command() -> RegisterChild:
    return RegisterChild(actor=NATIONAL, region="440105001101", name="童", sex=Sex.female,
                         birth_date="2016-05-05", category=ChildCategory.left_behind)


async def send_through(answers: list, monkeypatch, sent: list | None = None) -> tuple[object, list[dict]]:
    monkeypatch.setattr(resend, "RETRY_DELAYS", (0.01, 0.01, 0.01))
    sent = [] if sent is None else sent

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        step = answers[min(len(sent), len(answers)) - 1]
        if step == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(step, json={"code": "x", "message": "the event log is unavailable, retry",
                                          "detail": "the event log is unavailable, retry"}
                              if step >= 400 else {"child_id": "c1"})

    info = RuntimeInfo(1, "nats://127.0.0.1:1", "http://aixin.test", "", "")
    commands = HttpCommands(Connection(Path("."), info, SignedIn()), in_flight=1)
    async with commands:
        commands.pools = [httpx.AsyncClient(base_url="http://aixin.test", transport=httpx.MockTransport(answer))]
        commands.http = commands.pools[0]
        reply = await commands.send("intake", "register_child", command())
    return reply, sent


async def test_a_503_and_a_lost_answer_are_sent_again_with_the_same_command_id(monkeypatch, capsys) -> None:
    reply, sent = await send_through([503, "timeout", 201], monkeypatch)
    assert reply.ok and len(sent) == 3
    assert len({body["command_id"] for body in sent}) == 1
    said = capsys.readouterr().err
    assert "sending again with the same command id" in said and said.count("\n") == 1


async def test_a_refusal_is_not_sent_again_and_retries_end(monkeypatch) -> None:
    reply, sent = await send_through([409], monkeypatch)
    assert not reply.ok and len(sent) == 1
    sent = []
    with pytest.raises(NotRunning, match="the event log is unavailable"):
        await send_through([503], monkeypatch, sent)
    assert len(sent) == 4  # the first try and three retries; then the 503 is the answer, said plainly
