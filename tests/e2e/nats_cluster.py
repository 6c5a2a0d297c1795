"""Three nats-server processes from the wheel as one cluster, configured by `aixin nats-config
--cluster` on free ports with temporary stores; the log stream's leader and replicas read from a
node's monitoring endpoint (`/jsz`), and a writer that records every acknowledgement."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contracts.subjects import STREAM
from services.platform.embedded_nats import die_with_parent, free_port, server_binary
from tests.e2e.test_end_to_end import aixin

NODES = 3


@dataclass
class Node:
    name: str
    config: Path
    port: int
    monitor: int
    process: subprocess.Popen | None = None

    def start(self) -> Node:
        return self.launch().wait_listening()

    def launch(self) -> Node:
        """Started from the calling thread, which must outlive it: the server is told to stop when
        the thread that started it ends (PR_SET_PDEATHSIG), so never from a worker thread."""
        log = open(self.config.with_suffix(".log"), "ab")
        self.process = subprocess.Popen([str(server_binary()), "-c", str(self.config)], stdout=log, stderr=log,
                                        preexec_fn=die_with_parent, process_group=0)
        log.close()
        return self

    def wait_listening(self) -> Node:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.config.with_suffix(".log").read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"{self.name} did not listen on {self.port}")

    def signal(self, sig: int) -> None:
        os.kill(self.process.pid, sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self.process.wait(10)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    directory: Path
    data_dir: Path
    nodes: list[Node] = field(default_factory=list)

    def configure(self) -> Cluster:
        ports = [(free_port(), free_port(), free_port()) for _ in range(NODES)]
        spec = ",".join(f"127.0.0.1:{p}:{r}:{m}" for p, r, m in ports)
        out = self.directory / "conf"
        aixin(self.data_dir, "nats-config", "--cluster", spec, "--out", str(out), "--bind", "127.0.0.1",
              "--store-dir", str(self.directory / "{node}"))
        self.nodes = [Node(f"aixin-nats-{n}", out / f"aixin-nats-{n}.conf", p, m)
                      for n, (p, _, m) in enumerate(ports, start=1)]
        return self

    def start(self) -> Cluster:
        for node in self.nodes:
            node.start()
        return self

    @property
    def seeds(self) -> str:
        return ",".join(f"nats://127.0.0.1:{node.port}" for node in self.nodes)

    @property
    def monitors(self) -> str:
        return ",".join(f"http://127.0.0.1:{node.monitor}" for node in self.nodes)

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def _jsz(self, node: Node) -> dict | None:
        try:
            return httpx.get(f"http://127.0.0.1:{node.monitor}/jsz?accounts=true&streams=true&config=true",
                             timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return None

    def stream(self) -> dict | None:
        """The log stream's cluster as its leader sees it (only a leader knows whether the others
        are current): leader and replicas; None while no running node leads it, or while the
        cluster's own (meta) group, which every stream and consumer operation goes through, has no
        leader with every other node current."""
        found, meta_whole = None, False
        for node in self.nodes:
            jsz = self._jsz(node) if node.alive else None
            if not jsz:
                continue
            meta = jsz.get("meta_cluster") or {}
            if meta.get("leader") == node.name:
                meta_whole = _whole(meta.get("replicas"))
            for account in jsz.get("account_details", []):
                for stream in account.get("stream_detail", []):
                    if stream["name"] == STREAM and stream["cluster"].get("leader") == node.name:
                        found = {**stream["cluster"], "replicas_wanted": stream["config"]["num_replicas"]}
        return found if meta_whole else None

    def wait_whole(self, timeout: float = 30) -> dict:
        """Until the stream has a leader and every other node is a current replica."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stream = self.stream()
            if stream and stream.get("leader") and _whole(stream.get("replicas")):
                return stream
            time.sleep(0.2)
        raise AssertionError(f"the stream's replicas did not all catch up within {timeout} s: {self.stream()}")

    def leader(self) -> Node:
        return self.node(self.wait_whole()["leader"])

    def stop(self) -> None:
        for node in self.nodes:
            if node.alive:
                node.signal(signal.SIGCONT)
                node.process.terminate()
                node.process.wait(10)


def _whole(replicas: list[dict] | None) -> bool:
    current = [r for r in replicas or () if r.get("current") and not r.get("offline")]
    return len(current) == NODES - 1


class Writer:
    """Registers children over HTTP, a few in flight, each command sent again with its own
    Idempotency-Key until it is acknowledged; keeps when each acknowledged attempt was sent."""

    IN_FLIGHT = 4

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self.acked: dict[int, tuple[float, float]] = {}  # child number -> (attempt sent, acknowledged)
        self.refused: dict[str, int] = {}  # answers that said "retry", by what they said
        self.stop, self.next = asyncio.Event(), 0

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=60) as client:
            await asyncio.gather(*(self._one_at_a_time(client) for _ in range(self.IN_FLIGHT)))

    async def _one_at_a_time(self, client: httpx.AsyncClient) -> None:
        while not self.stop.is_set():
            n, self.next = self.next, self.next + 1
            body = {"region": "440105001101", "name": f"簇{n}", "sex": "male", "birth_date": "2015-03-03",
                    "category": "left_behind"}
            while True:
                sent = time.monotonic()
                try:
                    response = await client.post("/commands/intake/register_child", json=body,
                                                 headers={"Idempotency-Key": f"cluster-{n}"})
                except httpx.TransportError as error:
                    self.refused[type(error).__name__] = self.refused.get(type(error).__name__, 0) + 1
                    await asyncio.sleep(0.1)
                    continue
                if response.status_code == 201:
                    self.acked[n] = (sent, time.monotonic())
                    break
                assert response.status_code == 503, response.text  # anything else is a fault
                said = response.json()["message"]
                self.refused[said] = self.refused.get(said, 0) + 1
                await asyncio.sleep(0.1)

    def accepted_again_after(self, moment: float) -> float | None:
        """Seconds from `moment` to the first acknowledgement of a command sent after it."""
        after = [acked for sent, acked in self.acked.values() if sent > moment]
        return min(after) - moment if after else None

    async def until_accepted_after(self, moment: float, bound: float) -> float:
        while (seconds := self.accepted_again_after(moment)) is None:
            assert time.monotonic() - moment < bound, f"no command accepted within {bound} s"
            await asyncio.sleep(0.02)
        return seconds
