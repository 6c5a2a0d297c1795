"""The platform heals itself when its nats-server dies: `aixin up` in a subprocess, a writer that
registers children over HTTP and records every acknowledgement, and the embedded server killed
with SIGKILL twice. Nobody touches the platform: the server is started again on the same port and
store, commands are accepted again within a bound printed here, /health says what is down while it
is, and at the end every acknowledged child is on file exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_end_to_end import Up

pytestmark = pytest.mark.e2e
IN_FLIGHT = 4
KILLS = 2
RETRYABLE = {"the event log is unavailable, retry", "the intake service is not answering"}


class Writer:
    def __init__(self, up: Up) -> None:
        self.url, self.headers = up.url, up.headers()
        self.acked: set[int] = set()
        self.unavailable = 0  # 503s answered at once while the log was down
        self.last_ack = time.monotonic()
        self.stop = asyncio.Event()
        self.next = 0

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=30) as client:
            await asyncio.gather(*(self._one_at_a_time(client) for _ in range(IN_FLIGHT)))

    async def _one_at_a_time(self, client: httpx.AsyncClient) -> None:
        while not self.stop.is_set():
            n, self.next = self.next, self.next + 1
            body = {"region": "440105001101", "name": f"童{n}", "sex": "female", "birth_date": "2016-05-05",
                    "category": "left_behind"}
            while True:  # the same command, with the same key, until it is acknowledged
                try:
                    response = await client.post("/commands/intake/register_child", json=body,
                                                 headers={"Idempotency-Key": f"restart-{n}"})
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
                    continue
                if response.status_code == 201:
                    self.acked.add(n)
                    self.last_ack = time.monotonic()
                    break
                # While the server is down the log is unavailable; just after it is back, a service
                # still reconnecting may not answer in time. Both are a 503 to retry, never a 500.
                assert response.status_code == 503, response.text
                assert response.json()["code"] == "unavailable", response.text
                assert response.json()["message"] in RETRYABLE, response.text
                self.unavailable += 1
                await asyncio.sleep(0.1)


def server_pid(data_dir: Path) -> int:
    return int((data_dir / "nats" / "nats-server.pid").read_text())


async def kill_and_measure(up: Up, writer: Writer) -> tuple[float, int]:
    """Seconds from the kill to the first command acknowledged by the server started again (an
    answer already on its way when the old one died does not count), and /health meanwhile."""
    pid = server_pid(up.data_dir)
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    health = None
    async with httpx.AsyncClient(base_url=up.url, timeout=5) as client:
        while server_pid(up.data_dir) == pid:
            if health is None:
                answer = await client.get("/health")
                if answer.status_code == 503:
                    health = answer.status_code
                    assert answer.json()["status"] == "unavailable", answer.text
            await asyncio.sleep(0.02)
            assert time.monotonic() - killed < 60, "nats-server was not started again within a minute"
        started_again = time.monotonic()
        while writer.last_ack < started_again:
            await asyncio.sleep(0.02)
            assert time.monotonic() - killed < 60, "commands were not accepted again within a minute"
    return writer.last_ack - killed, health or 200


def test_the_platform_heals_itself_when_nats_server_is_killed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    up = Up(data_dir).start()
    try:
        bounds = asyncio.run(_write_through_kills(up))
        print(f"\ncommands accepted again {', '.join(f'{b:.2f} s' for b in bounds)} after each kill -9 "
              f"of nats-server")
        with httpx.Client(base_url=up.url, headers=up.headers(), timeout=30) as client:
            assert client.get("/health").status_code == 200
            for _ in range(100):
                stats = client.get("/regions/CN/stats").json()
                if stats["children_registered"] >= up.acked:
                    break
                time.sleep(0.2)
        assert stats["children_registered"] == stats["children"] == up.acked  # none lost, none twice
        assert up.process.poll() is None
    finally:
        up.stop()


async def _write_through_kills(up: Up) -> list[float]:
    writer = Writer(up)
    writing = asyncio.create_task(writer.run())
    bounds = []
    try:
        for _ in range(KILLS):
            await asyncio.sleep(2)
            assert writer.acked, "nothing acknowledged before the kill"
            bound, _ = await kill_and_measure(up, writer)
            bounds.append(bound)
        await asyncio.sleep(1)
    finally:
        writer.stop.set()
        await asyncio.wait_for(writing, 60)
    up.acked = len(writer.acked)
    assert writer.acked == set(range(writer.next))  # every command sent was acknowledged in the end
    return bounds
