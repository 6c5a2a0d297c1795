"""End to end: `aixin up` in a subprocess, then demo, stats, replay and a crash, through the CLI
(signed in with the credential.json of the first start) and the HTTP API (with a bearer token)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.platform.embedded_nats import free_port

pytestmark = pytest.mark.e2e
LEVELS = ["CN", "44", "4401", "440105", "440105001", "440105001101"]
DEMO_CHILDREN = 120


def aixin(data_dir: Path, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "AIXIN_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "services.cli", *args], env=env, input=input,
                            capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"aixin {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


class Up:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.http = f"127.0.0.1:{free_port()}"
        self.extra: list[str] = []  # more options of `aixin up`

    def start(self) -> Up:
        (self.data_dir / "aixin.json").unlink(missing_ok=True)
        env = {**os.environ, "AIXIN_DATA_DIR": str(self.data_dir)}
        self.log = open(self.data_dir.parent / f"up-{time.time_ns()}.log", "w")
        self.process = subprocess.Popen([sys.executable, "-m", "services.cli", "up", "--http", self.http, *self.extra],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, Path(self.log.name).read_text()
            if (self.data_dir / "aixin.json").exists():
                try:
                    httpx.get(f"http://{self.http}/health", timeout=2).raise_for_status()
                    return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        raise AssertionError("aixin up did not start: " + Path(self.log.name).read_text())

    @property
    def url(self) -> str:
        return f"http://{self.http}"

    def token(self, username: str | None = None, password: str | None = None) -> str:
        """A bearer token: the national admin's (credential.json) unless another account is named."""
        if username is None:
            credential = json.loads((self.data_dir / "credential.json").read_text())
            username, password = credential["username"], credential["password"]
        response = httpx.post(f"{self.url}/auth/token", data={"username": username, "password": password},
                              timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def headers(self, username: str | None = None, password: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username, password)}"}

    def stop(self, sig: int = signal.SIGINT) -> None:
        self.process.send_signal(sig)
        self.process.wait(30)
        time.sleep(0.5)  # the embedded server stops with its parent


def stats(data_dir: Path, region: str) -> dict:
    return json.loads(aixin(data_dir, "stats", region, "--json").stdout)


def figures(result: dict) -> dict:
    # Reminders are raised by the clock (the reminder process ticks once a minute), not by commands.
    return {k: v for k, v in result.items() if isinstance(v, int) and not k.startswith("reminders_")}


def assert_consistent_at_all_levels(data_dir: Path) -> dict:
    tops = {}
    for region in LEVELS:
        result = stats(data_dir, region)
        if result["subregions"]:
            for name, value in figures(result).items():
                if name == "counties_covered" and region != "CN" and len(region) >= 6:
                    continue  # a county is covered by any of its towns: below a county it adds up to more
                assert value == sum(sub[name] for sub in result["subregions"]), (region, name)
        tops[region] = figures(result)
    return tops


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


def test_demo_stats_replay_and_a_crash(data_dir: Path) -> None:
    up = Up(data_dir).start()
    try:
        aixin(data_dir, "demo", "--children", str(DEMO_CHILDREN), "--seed", "7")
        before = assert_consistent_at_all_levels(data_dir)
        national = before["CN"]
        assert national["children_registered"] == DEMO_CHILDREN
        assert national["volunteers_recruited"] == int(DEMO_CHILDREN * 0.8)
        assert 0 < national["children_paired"] == national["active_pairs"]
        assert national["wishes_fulfilled"] <= national["wishes_submitted"]
        assert_demo_accounts(up, before)

        replay = json.loads(aixin(data_dir, "replay", "--json").stdout)
        assert all(report["equal"] for report in replay["reports"])
        assert assert_consistent_at_all_levels(data_dir) == before

        # The same demo again: every command is recognised as a retry, nothing is counted twice.
        aixin(data_dir, "demo", "--children", str(DEMO_CHILDREN), "--seed", "7")
        assert assert_consistent_at_all_levels(data_dir) == before

        acknowledged = asyncio.run(register_until_killed(up))
    finally:
        if up.process.poll() is None:
            up.stop()

    up = Up(data_dir).start()  # resumes on the same data dir
    try:
        headers = up.headers()  # credential.json of the first start still signs in
        for child_id in acknowledged:
            response = httpx.get(f"{up.url}/history/child/{child_id}", headers=headers, timeout=10)
            assert response.status_code == 200, f"acknowledged child {child_id} was lost"
        after = stats(data_dir, "CN")
        listed = json.loads(aixin(data_dir, "children", "CN", "--json", "--limit", "10000").stdout)
        assert after["children_registered"] == len(listed["children"]) >= DEMO_CHILDREN + len(acknowledged)
        replay = json.loads(aixin(data_dir, "replay", "--json").stdout)
        assert all(report["equal"] for report in replay["reports"])
        names = {child["name"] for child in listed["children"]}
        assert "崩溃测试" in names
    finally:
        up.stop()
    assert_nothing_left_running(data_dir)  # the children of the SIGKILLed platform stopped too
    store = (data_dir / "nats").rglob("*")
    assert not any("崩溃测试".encode() in f.read_bytes() for f in store if f.is_file()), "a name in plaintext"


def assert_demo_accounts(up: Up, figures_by_region: dict) -> None:
    """The demo's offices have accounts (passwords in a file only its owner reads), and the demo's
    commands were sent by its districts' caseworkers."""
    path = up.data_dir / "demo-accounts.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    accounts = json.loads(path.read_text())
    assert {"caseworker-440105", "approver-440105", "viewer-44"} <= accounts.keys()
    viewer = up.headers("viewer-44", accounts["viewer-44"]["password"])
    stats_44 = httpx.get(f"{up.url}/regions/44/stats", headers=viewer, timeout=30).json()
    assert figures(stats_44) == figures_by_region["44"]
    assert httpx.get(f"{up.url}/regions/CN/stats", headers=viewer, timeout=30).status_code == 403
    child = json.loads(aixin(up.data_dir, "children", "440105", "--json", "--limit", "1").stdout)["children"][0]
    actor = json.loads(aixin(up.data_dir, "history", "child", child["child_id"], "--json").stdout)["events"][0]["actor"]
    assert (actor["operator_id"], actor["region"], actor["role"]) == ("caseworker-440105", "440105000000", "caseworker")


def assert_nothing_left_running(data_dir: Path, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-af", str(data_dir)], capture_output=True, text=True).stdout
        if not left:
            return
        time.sleep(0.5)
    raise AssertionError(f"processes of {data_dir} still running:\n{left}")


async def register_until_killed(up: Up) -> list[str]:
    """Send registrations over HTTP while `aixin up` is SIGKILLed; return the ids whose commands
    were acknowledged (201)."""
    acknowledged: list[str] = []
    command = {"region": "440105001102", "name": "崩溃测试", "sex": "female", "birth_date": "2016-05-05",
               "category": "left_behind"}

    async def one(http: httpx.AsyncClient, i: int) -> None:
        try:
            reply = await http.post("/commands/intake/register_child", json=command, timeout=5)
        except Exception:
            return  # no acknowledgement: the caller would not know whether it was stored
        if reply.status_code == 201:
            acknowledged.append(reply.json()["child_id"])

    async def kill_soon() -> None:
        while len(acknowledged) < 40:
            await asyncio.sleep(0.01)
        os.kill(up.process.pid, signal.SIGKILL)

    async with httpx.AsyncClient(base_url=up.url, headers=up.headers(),
                                 limits=httpx.Limits(max_connections=16)) as http:
        killer = asyncio.create_task(kill_soon())
        gate = asyncio.Semaphore(16)

        async def gated(i: int) -> None:
            async with gate:
                await one(http, i)

        await asyncio.gather(*(gated(i) for i in range(400)), return_exceptions=True)
        await killer
    up.process.wait(10)
    return acknowledged
