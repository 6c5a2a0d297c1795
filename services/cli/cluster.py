"""`aixin nats-config --cluster`: the configurations of a NATS cluster's nodes for aixin, one file a
node (`services.platform.cluster_config`), and how the services are then started against it."""

from __future__ import annotations

from pathlib import Path

import typer

from services.cli.common import fail
from services.platform.cluster_config import REPLICAS, parse_nodes, render_node_config, seed_urls
from services.platform.data_dir import write_private
from services.platform.nats_credentials import NatsCredentials

CLUSTER_STORE = "/data/jetstream"  # each node's own volume (compose.yaml)


def write_cluster(credentials: NatsCredentials, spec: str, out: Path | None, store_dir: str | None,
                  bind: str) -> None:
    """Write `<server_name>.conf` (0600: it holds the routes' secret) per node into `out`; a
    `{node}` in the store dir is the node's name, for nodes sharing one machine."""
    if out is None:
        fail("--cluster needs --out DIR: each node's configuration is written there (0600)")
    try:
        nodes = parse_nodes(spec)
    except ValueError as error:
        fail(f"--cluster: {error}")
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} is a file; --cluster writes one configuration a node into a directory")
    accounts, secret = credentials.accounts(), credentials.route_secret()
    for node in nodes:
        store = (store_dir or CLUSTER_STORE).replace("{node}", node.name)
        path = out / f"{node.name}.conf"
        write_private(path, render_node_config(node, nodes, accounts, secret, store, bind))
        typer.echo(f"written: {path} ({node.host}:{node.port}, routes on {node.route_port}, "
                   f"monitoring on {node.monitor_port})", err=True)
    urls = seed_urls(nodes)
    monitors = ",".join(f"http://{node.host}:{node.monitor_port}" for node in nodes)
    typer.echo(f"start each node with 'nats-server -c <its file>', then the platform with --nats-url {urls} "
               f"(or AIXIN_NATS_URL); the log's stream is made at R{REPLICAS} on a cluster, and 'aixin doctor "
               f"--nats-monitor {monitors}' checks what it runs with", err=True)
