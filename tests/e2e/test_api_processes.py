"""`aixin up`'s HTTP API in processes of its own, for real: two of them share the port the platform
bound, the first admin is made before either serves, one killed is started again on the same port,
and stopping the platform stops both."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import httpx
import pytest

from services.platform.children import API_PROCESS
from services.platform.embedded_nats import free_port
from services.platform.runtime import Platform
from services.platform.settings import RuntimeInfo, Settings

pytestmark = pytest.mark.e2e


async def signed_in_as_admin(http: httpx.AsyncClient, data_dir: Path) -> dict[str, str]:
    credential = json.loads((data_dir / "credential.json").read_text())
    reply = await http.post("/auth/token", data=credential)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


async def test_two_api_processes_share_the_port_and_one_killed_is_started_again(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, http_port=free_port(), api_processes=2)
    platform = Platform(settings, children=(API_PROCESS,))
    info = await platform.start()
    try:
        apis = [child for child in platform.running_children if child.spec == API_PROCESS]
        assert len(apis) == 2 and not hasattr(platform, "http")  # none served from the main process
        assert RuntimeInfo.read(tmp_path).http_url == info.http_url == f"http://127.0.0.1:{settings.http_port}"
        async with httpx.AsyncClient(base_url=info.http_url, timeout=30) as http:
            admin = await signed_in_as_admin(http, tmp_path)
            assert (await http.get("/auth/me", headers=admin)).json()["username"] == "admin"
            killed = apis[0].process.pid
            os.kill(killed, signal.SIGKILL)
            for _ in range(600):  # started again, and the port answers all along or again
                await asyncio.sleep(0.1)
                if apis[0].process.pid != killed and apis[0].process.poll() is None:
                    break
            else:
                raise AssertionError("the API process was not started again")
            for _ in range(10):  # whichever process takes each connection, the token holds
                async with httpx.AsyncClient(base_url=info.http_url, timeout=30) as fresh:
                    assert (await fresh.get("/auth/me", headers=admin)).status_code == 200
    finally:
        await platform.stop()
    assert all(child.process.poll() is not None for child in platform.running_children)
