"""A NATS cluster's node configurations (`aixin nats-config --cluster`), and the log's replicas on it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli.app import app
from services.platform.cluster_config import parse_nodes, seed_urls
from services.platform.embedded_nats import server_binary
from services.platform.nats_credentials import NatsCredentials
from services.platform.settings import Settings, nats_servers

NODES = "127.0.0.1:4301:6301:8301,127.0.0.1:4302:6302:8302,127.0.0.1:4303:6303:8303"


def test_nodes_take_the_documented_ports_unless_given() -> None:
    nodes = parse_nodes("nats-1, nats-2,nats-3:5222")
    assert [(n.name, n.host, n.port, n.route_port, n.monitor_port) for n in nodes] == [
        ("aixin-nats-1", "nats-1", 4222, 6222, 8222), ("aixin-nats-2", "nats-2", 4222, 6222, 8222),
        ("aixin-nats-3", "nats-3", 5222, 6222, 8222)]
    assert seed_urls(nodes) == "nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:5222"


@pytest.mark.parametrize("spec, said", [
    ("nats-1,nats-2", "at least 3 nodes"),
    ("nats-1,nats-2,nats-3:http", "node 3 of the cluster: 'nats-3:http'"),
    ("nats-1,nats-2,:4222", "node 3 of the cluster"),
    ("h,h,h", "two listeners of the cluster on h:4222"),
])
def test_a_cluster_that_cannot_be_is_refused_saying_where(spec: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        parse_nodes(spec)


def test_each_node_gets_a_configuration_nats_server_accepts(tmp_path: Path) -> None:
    out = tmp_path / "conf"
    result = CliRunner().invoke(app, ["nats-config", "--cluster", NODES, "--out", str(out), "--bind", "127.0.0.1",
                                      "--store-dir", str(tmp_path / "{node}"), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    credentials = NatsCredentials.load(tmp_path)
    secret = credentials.route_secret()
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["aixin-nats-1.conf", "aixin-nats-2.conf", "aixin-nats-3.conf"]
    for number, path in enumerate(files, start=1):
        text = path.read_text()
        assert path.stat().st_mode & 0o777 == 0o600  # the routes' secret is in it
        assert f'server_name: "aixin-nats-{number}"' in text and "sync_interval: always" in text
        assert f'store_dir: "{tmp_path}/aixin-nats-{number}"' in text
        assert text.count(f"aixin-route:{secret}@") == 2 and f":630{number}\"" not in text.split("routes:")[1]
        assert all(seed not in text for seed in credentials.users.values())  # public keys only
        checked = subprocess.run([str(server_binary()), "-c", str(path), "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    assert "--nats-url nats://127.0.0.1:4301,nats://127.0.0.1:4302,nats://127.0.0.1:4303" in result.output
    again = CliRunner().invoke(app, ["nats-config", "--cluster", NODES, "--out", str(out), "--data-dir", str(tmp_path)])
    assert again.exit_code == 0 and secret in files[0].read_text()  # the same secret: nodes running still join


def test_nats_config_cluster_says_what_it_needs(tmp_path: Path) -> None:
    no_out = CliRunner().invoke(app, ["nats-config", "--cluster", NODES, "--data-dir", str(tmp_path)])
    assert no_out.exit_code == 2 and "--cluster needs --out DIR" in no_out.output
    two = CliRunner().invoke(app, ["nats-config", "--cluster", "a,b", "--out", str(tmp_path), "--data-dir", str(tmp_path)])
    assert two.exit_code == 2 and "at least 3 nodes" in two.output


def test_the_log_is_replicated_three_times_on_a_cluster_unless_set() -> None:
    settings = Settings(data_dir=Path("/nowhere"))
    clustered = {"cluster": "aixin", "connect_urls": ["a:4222", "b:4222", "c:4222"]}
    assert settings.replicas_on(clustered) == 3
    assert settings.replicas_on({"connect_urls": ["a:4222"]}) == 1
    assert settings.replicas_on({"cluster": "aixin", "connect_urls": ["a:4222", "b:4222"]}) == 1
    assert Settings(data_dir=Path("/nowhere"), stream_replicas=5).replicas_on(clustered) == 5


def test_replicas_from_the_environment_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIXIN_STREAM_REPLICAS", "2")
    with pytest.raises(ValueError, match="AIXIN_STREAM_REPLICAS is 1, 3 or 5"):
        Settings.from_env(Path("/nowhere"))
    monkeypatch.setenv("AIXIN_STREAM_REPLICAS", "3")
    assert Settings.from_env(Path("/nowhere")).stream_replicas == 3


def test_a_nats_url_may_name_every_node() -> None:
    assert nats_servers("nats://a:4222, nats://b:4222,") == ["nats://a:4222", "nats://b:4222"]
    with pytest.raises(ValueError, match="no NATS server"):
        nats_servers(" , ")
