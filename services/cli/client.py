"""How CLI commands reach a running platform: commands over NATS, read models over HTTP."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import nats

from contracts.commands import Command
from contracts.replies import Reply
from contracts.subjects import command_subject
from services.platform.settings import RuntimeInfo, default_data_dir
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
        self.closed = asyncio.Event()
        try:
            self.nc = await nats.connect(
                self.nats_url, connect_timeout=5, max_reconnect_attempts=3, reconnect_time_wait=1,
                error_cb=self._connection_error, closed_cb=self._connection_closed)
        except Exception as error:
            raise NotRunning(f"cannot reach NATS at {self.nats_url} ({error}); is 'aixin up' running?") from None
        return self

    async def _connection_error(self, error: Exception) -> None:
        pass  # reconnection is attempted; if it fails, `closed` ends every waiting request

    async def _connection_closed(self) -> None:
        self.closed.set()

    async def __aexit__(self, *exc) -> None:
        if not self.nc.is_closed:
            await self.nc.drain()

    async def send(self, context: str, name: str, command: Command, timeout: float = 60) -> Reply:
        data = await self._request(command_subject(context, name), command.model_dump_json().encode(), timeout)
        return decode_reply(data)

    async def request(self, subject: str, payload: dict, timeout: float = 600) -> dict:
        return json.loads(await self._request(subject, json.dumps(payload).encode(), timeout))

    async def _request(self, subject: str, body: bytes, timeout: float) -> bytes:
        """A request that fails at once when the connection is lost for good, instead of waiting
        for its timeout (nats-py leaves pending requests waiting when a connection closes)."""
        request = asyncio.ensure_future(self.nc.request(subject, body, timeout=timeout))
        closed = asyncio.ensure_future(self.closed.wait())
        await asyncio.wait({request, closed}, return_when=asyncio.FIRST_COMPLETED)
        closed.cancel()
        if request.done():
            return request.result().data
        request.cancel()
        raise NotRunning(f"lost the connection to aixin at {self.nats_url}; start 'aixin up' again and "
                         f"repeat the command — what was acknowledged is kept and nothing is applied twice")
