"""A province's leaf node configuration, and the hub's side of it: what each server is told."""

from __future__ import annotations

import subprocess
from pathlib import Path

from services.platform.embedded_nats import EmbeddedNats
from services.platform.leaf_config import leaf_node, render_leaf_config
from services.platform.nats_credentials import NatsCredentials, public_key
from services.platform.nats_listener import Listener
from services.platform.nats_permissions import HUB_DOMAIN
from services.platform.tls_files import TlsFiles
from services.shared.eventlog.feed_mirror import mirror_stream_config


def credentials_with_leaf(tmp_path: Path) -> NatsCredentials:
    credentials = NatsCredentials.load_or_create(tmp_path)
    credentials.add_system("guangdong", "44")
    credentials.leaf_seed("guangdong")
    return credentials


def test_the_leaf_has_its_own_domain_the_systems_key_and_a_remote_to_the_hubs_account(tmp_path: Path) -> None:
    credentials = credentials_with_leaf(tmp_path)
    system = credentials.systems["guangdong"]
    leaf = leaf_node(credentials, "guangdong", "nats-leaf://hub.example.cn:7422", hub_ca="/etc/aixin/hub-ca.pem")
    config = render_leaf_config(leaf)
    assert 'domain: "guangdong"' in config and "sync_interval: always" in config
    assert public_key(system["seed"]) in config and system["seed"] not in config  # the bundle works here too
    assert '"account": "system-guangdong"' in config and f'"nkey": "{system["leaf_seed"]}"' in config
    assert '"ca_file": "/etc/aixin/hub-ca.pem"' in config and '"ignore_discovered_servers": true' in config


def test_the_hub_knows_the_leaf_by_its_public_key_only(tmp_path: Path) -> None:
    credentials = credentials_with_leaf(tmp_path)
    seed = credentials.systems["guangdong"]["leaf_seed"]
    hub = credentials.server_config()
    assert public_key(seed) in hub and seed not in hub
    assert credentials.leaf_seed("guangdong") == seed  # made once, kept


def test_a_system_without_a_leaf_has_no_leaf_user(tmp_path: Path) -> None:
    credentials = NatsCredentials.load_or_create(tmp_path)
    credentials.add_system("beijing", "11")
    assert len(credentials.accounts()["system-beijing"]["users"]) == 2


def test_the_mirror_reaches_the_hub_by_its_domain_and_keeps_its_sequences() -> None:
    config = mirror_stream_config(HUB_DOMAIN)
    assert config.subjects is None  # a mirror takes no subjects: nothing is published into it
    assert config.mirror.name == "AIXIN_FEED" and config.mirror.external.api == f"$JS.{HUB_DOMAIN}.API"


def test_the_hub_listens_for_leaf_nodes_with_its_domain_and_tls(tmp_path: Path) -> None:
    tls = TlsFiles(tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem")
    hub = EmbeddedNats(tmp_path, listener=Listener("0.0.0.0", 4222, tls), jetstream_domain=HUB_DOMAIN,
                       leafnode_listen="0.0.0.0:7422")
    config = hub._config()
    assert f"domain: {HUB_DOMAIN}" in config
    assert 'leafnodes {\n  listen: "0.0.0.0:7422"\n  tls {' in config and str(tls.cert) in config
    plain = EmbeddedNats(tmp_path, port=4222)._config()
    assert "domain" not in plain and "leafnodes" not in plain


def test_nats_config_leaf_prints_a_configuration_nats_server_accepts(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from services.cli.app import app
    from services.platform.embedded_nats import server_binary

    NatsCredentials.load_or_create(tmp_path).add_system("guangdong", "44")
    out = tmp_path / "leaf.conf"
    result = CliRunner().invoke(app, ["nats-config", "--leaf", "guangdong", "--hub-url", "nats-leaf://hub.example.cn:7422",
                                      "--out", str(out), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600 and 'domain: "guangdong"' in out.read_text()
    checked = subprocess.run([str(server_binary()), "-c", str(out), "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    missing = CliRunner().invoke(app, ["nats-config", "--leaf", "guangdong", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 2 and "--hub-url" in missing.output
