"""How CLI commands reach a running platform: commands over NATS, read models over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import nats

from contracts.commands import Command
from contracts.replies import Reply
from contracts.subjects import command_subject
from services.settings import RuntimeInfo, default_data_dir
from services.shared.endpoints import decode_reply


class NotRunning(RuntimeError):
    pass


def runtime(data_dir: Path | None) -> RuntimeInfo:
    try:
        return RuntimeInfo.read((data_dir or default_data_dir()).resolve())
    except FileNotFoundError as error:
        raise NotRunning(str(error)) from None


def get(info: RuntimeInfo, path: str, **params: Any) -> dict:
    try:
        response = httpx.get(info.http_url + path, params=params, timeout=60)
    except httpx.HTTPError as error:
        raise NotRunning(f"cannot reach the aixin HTTP API at {info.http_url} ({error}); is 'aixin up' running?") from None
    if response.status_code >= 400:
        detail = response.json().get("detail", response.text)
        raise LookupError(detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False))
    return response.json()


class CommandClient:
    """Sends commands over NATS request/reply, as any system of the federation would."""

    def __init__(self, nats_url: str) -> None:
        self.nats_url = nats_url

    async def __aenter__(self) -> CommandClient:
        try:
            self.nc = await nats.connect(self.nats_url, connect_timeout=5, max_reconnect_attempts=3,
                                         allow_reconnect=True)
        except Exception as error:
            raise NotRunning(f"cannot reach NATS at {self.nats_url} ({error}); is 'aixin up' running?") from None
        return self

    async def __aexit__(self, *exc) -> None:
        await self.nc.drain()

    async def send(self, context: str, name: str, command: Command, timeout: float = 60) -> Reply:
        message = await self.nc.request(command_subject(context, name),
                                        command.model_dump_json().encode(), timeout=timeout)
        return decode_reply(message.data)

    async def request(self, subject: str, payload: dict, timeout: float = 600) -> dict:
        message = await self.nc.request(subject, json.dumps(payload).encode(), timeout=timeout)
        return json.loads(message.data)
