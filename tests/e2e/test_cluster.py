"""The platform on a three-node NATS cluster, tested with real processes: the nodes configured by
`aixin nats-config --cluster` (fsync before acknowledgement, the log at R3), `aixin up --nats-url`
with all three, and a writer recording every acknowledgement while the stream's leader is killed
with SIGKILL, then a follower, each started again, and then one node cut off (SIGSTOP) for a while.
At the end every acknowledged child is on file exactly once and the read models equal a rebuild."""

from __future__ import annotations

import asyncio
import collections
import json
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.nats_cluster import Cluster, Writer
from tests.e2e.test_end_to_end import Up, aixin

pytestmark = pytest.mark.e2e
WRITING = 2.0  # seconds of writing between steps
ACCEPTED_BOUND = 30.0  # generous: a new leader is elected within seconds
CUT_OFF = 6.0  # seconds a node is stopped


def test_a_three_node_cluster_loses_nothing_acknowledged(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    cluster = Cluster(tmp_path / "nats", data_dir).configure().start()
    up = Up(data_dir)
    up.extra = ["--nats-url", cluster.seeds]
    try:
        up.start()
        stream = cluster.wait_whole()
        assert stream["replicas_wanted"] == 3 and len(stream["replicas"]) == 2, stream
        writer = Writer(up.url, up.headers())
        figures = asyncio.run(_through_failures(cluster, writer))
        print("\n" + "; ".join(f"{what} {seconds:.2f} s" for what, seconds in figures.items()))
        print(f"{len(writer.acked)} children acknowledged; answers to retry: {writer.refused}")
        assert_each_acknowledged_child_on_file_once(up, data_dir, writer)
        replay = json.loads(aixin(data_dir, "replay", "--json").stdout)
        assert replay["reports"] and all(report["equal"] for report in replay["reports"]), replay
        doctor = json.loads(aixin(data_dir, "doctor", "--json", "--nats-monitor", cluster.monitors).stdout)
        assert doctor["durability"]["replicas"] == 3 and doctor["durability"]["warnings"] == [], doctor
        assert sorted(doctor["durability"]["sync_always"].items()) == [(node.name, True) for node in cluster.nodes]
        assert up.process.poll() is None
        # No service was refused what it does: the log's advisories, nor an answer given through
        # another node than the request came by.
        refused = [line for node in cluster.nodes for line in node.config.with_suffix(".log").read_text().splitlines()
                   if "Violation" in line]
        assert refused == [], refused
    finally:
        if up.process.poll() is None:
            up.stop()
        cluster.stop()


async def _through_failures(cluster: Cluster, writer: Writer) -> dict[str, float]:
    writing = asyncio.create_task(writer.run())
    figures: dict[str, float] = {}
    try:
        await asyncio.sleep(WRITING)
        for role in ("leader", "follower"):
            stream = await asyncio.to_thread(cluster.wait_whole)
            name = stream["leader"] if role == "leader" else stream["replicas"][0]["name"]
            node = cluster.node(name)
            assert writer.acked, "nothing acknowledged before the kill"
            killed = time.monotonic()
            node.kill()
            figures[f"accepted again after kill -9 of the {role}"] = await writer.until_accepted_after(
                killed, ACCEPTED_BOUND)
            await asyncio.sleep(WRITING)
            await asyncio.to_thread(node.launch().wait_listening)
            started = time.monotonic()
            await asyncio.to_thread(cluster.wait_whole)
            figures[f"{role} caught up after its restart"] = time.monotonic() - started
        node = cluster.leader()
        before = len(writer.acked)
        node.signal(signal.SIGSTOP)  # cut off: its routes and clients see nothing, nothing sees it
        stopped = time.monotonic()
        await asyncio.sleep(CUT_OFF)
        node.signal(signal.SIGCONT)
        acked_while_cut_off = len(writer.acked) - before
        figures["accepted after the cut-off leader came back"] = await writer.until_accepted_after(
            time.monotonic(), ACCEPTED_BOUND)
        await asyncio.to_thread(cluster.wait_whole)
        figures["whole again after the cut-off"] = time.monotonic() - stopped - CUT_OFF
        await asyncio.sleep(WRITING)
        print(f"\n{acked_while_cut_off} commands acknowledged while the leader was cut off for {CUT_OFF:.0f} s")
    finally:
        writer.stop.set()
        await asyncio.wait_for(writing, 120)
    assert set(writer.acked) == set(range(writer.next)), "a command was never acknowledged"
    return figures


def assert_each_acknowledged_child_on_file_once(up: Up, data_dir: Path, writer: Writer) -> None:
    acked = len(writer.acked)
    with httpx.Client(base_url=up.url, headers=up.headers(), timeout=30) as client:
        deadline = time.monotonic() + 60
        while (stats := client.get("/regions/CN/stats").json())["children_registered"] < acked:
            assert time.monotonic() < deadline, f"the read models hold {stats['children_registered']} of {acked}"
            time.sleep(0.2)
    assert stats["children_registered"] == stats["children"] == acked  # none lost, none twice
    listed = json.loads(aixin(data_dir, "children", "CN", "--json", "--limit", "10000").stdout)["children"]
    names = collections.Counter(child["name"] for child in listed)
    assert set(names) == {f"簇{n}" for n in writer.acked} and set(names.values()) == {1}
