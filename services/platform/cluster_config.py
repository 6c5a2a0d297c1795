"""A NATS cluster for aixin: three (or more) nats-servers, each configured with aixin's accounts,
JetStream with `sync_interval: always`, and routes to the others; the log's stream at R3 on them.

Why both: by default JetStream acknowledges a message before it fsyncs it (every two minutes), and
Jepsen's analysis of NATS 2.12.1 lost 131,418 of 930,005 acknowledged messages to a coordinated
power loss. `sync_interval: always` puts every append on disk before its acknowledgement; three
replicas on nodes in separate failure domains keep the log when one node, or its disk, is gone.

The routes authenticate with a secret of this installation (`NatsCredentials.route_secret`), so a
configuration holds it and is written 0600; the accounts hold public keys only. Pure: no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

CLUSTER_NAME = "aixin"
ROUTE_USER = "aixin-route"
CLIENT_PORT, ROUTE_PORT, MONITOR_PORT = 4222, 6222, 8222  # the ports nats-server documents
MINIMUM_NODES = 3  # R3 needs three JetStream servers; a quorum of two survives the loss of one
REPLICAS = 3


@dataclass(frozen=True)
class ClusterNode:
    name: str  # its server_name, unique in the cluster
    host: str  # how the services and the other nodes reach it
    port: int = CLIENT_PORT
    route_port: int = ROUTE_PORT
    monitor_port: int = MONITOR_PORT

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"


def parse_nodes(spec: str) -> list[ClusterNode]:
    """`HOST[:PORT[:ROUTE_PORT[:MONITOR_PORT]]]`, comma-separated, e.g. `nats-1,nats-2,nats-3`."""
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if len(items) < MINIMUM_NODES:
        raise ValueError(f"a cluster has at least {MINIMUM_NODES} nodes (R{REPLICAS} needs them); "
                         f"got {len(items)} in {spec!r}")
    nodes = [_node(number, item) for number, item in enumerate(items, start=1)]
    taken = [(node.host, port) for node in nodes for port in (node.port, node.route_port, node.monitor_port)]
    clash = next((where for where in taken if taken.count(where) > 1), None)
    if clash:
        raise ValueError(f"two listeners of the cluster on {clash[0]}:{clash[1]}: give nodes on one host "
                         f"their own ports, HOST:PORT:ROUTE_PORT:MONITOR_PORT")
    return nodes


def _node(number: int, item: str) -> ClusterNode:
    host, *ports = item.split(":")
    defaults = (CLIENT_PORT, ROUTE_PORT, MONITOR_PORT)
    if not host or len(ports) > 3 or not all(p.isdigit() and 0 < int(p) < 65536 for p in ports):
        raise ValueError(f"node {number} of the cluster: {item!r} is not HOST[:PORT[:ROUTE_PORT[:MONITOR_PORT]]]")
    values = [int(p) for p in ports] + list(defaults[len(ports):])
    return ClusterNode(f"aixin-nats-{number}", host, *values)


def seed_urls(nodes: list[ClusterNode]) -> str:
    """What the services are given (`--nats-url`, AIXIN_NATS_URL): every node, so that any one of
    them gets a client connected while another is down."""
    return ",".join(node.url for node in nodes)


def render_node_config(node: ClusterNode, nodes: list[ClusterNode], accounts: dict, route_secret: str,
                       store_dir: str, bind: str = "0.0.0.0") -> str:
    """One node's nats-server configuration (JSON values are valid in its syntax)."""
    routes = [f"nats-route://{ROUTE_USER}:{route_secret}@{other.host}:{other.route_port}"
              for other in nodes if other != node]
    return (
        f"# Node {node.name} of aixin's NATS cluster {CLUSTER_NAME!r} ({len(nodes)} nodes, the log at "
        f"R{REPLICAS}).\n"
        f"# Holds the routes' secret: keep it 0600. Services connect with --nats-url {seed_urls(nodes)}\n"
        f'server_name: "{node.name}"\n'
        f'listen: "{bind}:{node.port}"\n'
        f'http: "{bind}:{node.monitor_port}"\n'  # /varz, /jsz, /healthz: `aixin doctor --nats-monitor`
        f"max_payload: 4MB\n"
        f'jetstream {{\n  store_dir: "{store_dir}"\n  sync_interval: always\n}}\n'
        f"cluster {{\n"
        f'  name: "{CLUSTER_NAME}"\n'
        f'  listen: "{bind}:{node.route_port}"\n'
        f'  authorization {{\n    user: "{ROUTE_USER}"\n    password: "{route_secret}"\n    timeout: 2\n  }}\n'
        f"  routes: {json.dumps(routes, indent=4)}\n"
        f"}}\n"
        f"accounts: {json.dumps(accounts, indent=2)}\n"
    )
