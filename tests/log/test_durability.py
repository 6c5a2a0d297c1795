"""`aixin doctor`'s look at durability against real nats-servers: one that acknowledges before it
fsyncs (the server's default) is named, one with `sync_interval: always` is not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nats
import pytest

from services.cli.durability import Durability, durability
from services.platform.embedded_nats import EmbeddedNats, die_with_parent, free_port, server_binary
from services.shared.eventlog import EventLog


@pytest.fixture
def default_server(tmp_path: Path):
    """A nats-server as it comes, JetStream on, with its monitoring endpoint."""
    port, monitor = free_port(), free_port()
    process = subprocess.Popen([str(server_binary()), "-js", "-sd", str(tmp_path / "js"), "-a", "127.0.0.1",
                                "-p", str(port), "-m", str(monitor)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
    server = EmbeddedNats(tmp_path, port=port, process=process)
    server._wait_until_listening()
    yield server, f"http://127.0.0.1:{monitor}"
    server.stop()


async def with_stream(url: str) -> None:
    nc = await nats.connect(url)
    await EventLog(nc).ensure_stream()
    await nc.close()


async def test_a_server_acknowledging_before_fsync_is_named(default_server, tmp_path: Path) -> None:
    server, monitor = default_server
    await with_stream(server.url)
    found = await durability(server.url, tmp_path, [monitor])
    assert found.replicas == 1 and found.cluster is None and list(found.sync_always.values()) == [False]
    [warning] = found.warnings()
    assert "acknowledges appends before it writes them to disk" in warning and "sync_interval: always" in warning


async def test_an_unreachable_monitor_is_said_and_the_embedded_servers_setting_read(nats_server, tmp_path: Path) -> None:
    await with_stream(nats_server.url)
    unreachable = await durability(nats_server.url, tmp_path, [f"http://127.0.0.1:{free_port()}"])
    assert any("cannot tell whether every NATS server fsyncs" in w and "ConnectError" in w
               for w in unreachable.warnings())
    embedded = await durability(nats_server.url, tmp_path, [])  # its configuration is tmp_path/nats/…
    assert list(embedded.sync_always.values()) == [True] and embedded.warnings() == []


def test_a_cluster_with_the_log_at_r1_is_warned_of() -> None:
    found = Durability(1, "aixin", 3, {"aixin-nats-1": True, "aixin-nats-2": True, "aixin-nats-3": True})
    [warning] = found.warnings()
    assert "1 replica(s) on the 3-server cluster 'aixin'" in warning and "AIXIN_STREAM_REPLICAS=3" in warning
    assert Durability(3, "aixin", 3, {"aixin-nats-1": True}).warnings() == []
