"""A province's leaf node: a nats-server of the province's own, linked to the national hub as a leaf
node, holding the system's feed as a mirror of the hub's, so that the province's systems keep
reading while the link is down.

The leaf has a JetStream domain of its own (the system's name), the hub has `aixin`
(`HUB_DOMAIN`): with two domains the link carries no `$JS.API` traffic either way, and the leaf
reaches the hub's stream by `$JS.aixin.API`. A mirror, not a source: it keeps the hub's sequence
numbers, so a reader's position means the same on both servers, and it is read-only.

The leaf has one account, named as the system's on the hub, with two users: the system's own
NKey (its connection bundle works against the leaf unchanged) and the leaf's NKey, which the link
authenticates with on the hub (`nats_permissions.leaf_permissions`) and which keeps the mirror
stream on the leaf. The configuration holds the leaf's seed: it is the province's secret, written
0600; the hub's configuration holds only public keys. Pure: no I/O.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

from contracts.feed.subjects import FEED_STREAM
from services.platform.nats_credentials import SYSTEM_JETSTREAM, NatsCredentials, public_key
from services.platform.nats_listener import parse_listen
from services.platform.nats_permissions import (HUB_DOMAIN, JS, LEAF, inbox_prefix, system_account,
                                                system_permissions)
from services.shared.eventlog.feed_mirror import mirror_stream_config

LEAF_PORT = 7422  # the port nats-server documents for leaf node connections


@dataclass(frozen=True)
class LeafNode:
    name: str  # the system: its account on both servers, and the leaf's JetStream domain
    office: str
    system_key: str  # the system's public NKey
    leaf_seed: str  # the leaf's NKey seed
    hub_url: str  # where the hub listens for leaf nodes, e.g. nats-leaf://hub.example.cn:7422
    store_dir: str = "/var/lib/aixin-leaf/jetstream"
    listen: str = "0.0.0.0:4222"  # where the province's systems connect
    hub_domain: str = HUB_DOMAIN
    hub_ca: str | None = None  # the CA file to verify the hub's leaf listener by, when it has TLS

    @property
    def account(self) -> str:
        return system_account(self.name)

    @property
    def domain(self) -> str:
        return self.name


def leaf_node(credentials: NatsCredentials, name: str, hub_url: str, **options) -> LeafNode:
    """The leaf node of a system of these credentials (its leaf key made if it has none yet)."""
    system = credentials.systems[name]
    return LeafNode(name, system["office"], public_key(system["seed"]), credentials.leaf_seed(name), hub_url,
                    **{key: value for key, value in options.items() if value is not None})


def keeper_permissions() -> dict:
    """The leaf's user on the leaf: it creates the mirror stream, and recreates it after the hub's
    feed was rebuilt; nothing else."""
    stream = FEED_STREAM
    return {"publish": {"allow": [f"{JS}.INFO", f"{JS}.STREAM.CREATE.{stream}", f"{JS}.STREAM.UPDATE.{stream}",
                                  f"{JS}.STREAM.INFO.{stream}", f"{JS}.STREAM.DELETE.{stream}"]},
            "subscribe": {"allow": [f"{inbox_prefix(LEAF)}.>"]}}


def render_leaf_config(leaf: LeafNode) -> str:
    """The leaf's nats-server configuration (JSON values are valid in its syntax)."""
    host, port = parse_listen(leaf.listen)
    accounts = {leaf.account: {"jetstream": dict(SYSTEM_JETSTREAM), "users": [
        {"nkey": leaf.system_key, "permissions": system_permissions(leaf.name)},
        {"nkey": public_key(leaf.leaf_seed), "permissions": keeper_permissions()},
    ]}}
    # Only the hub's URL as given: what the hub tells of itself is its own bind address, which a
    # province behind NAT or a proxy cannot reach.
    remote: dict = {"url": leaf.hub_url, "account": leaf.account, "nkey": leaf.leaf_seed,
                    "ignore_discovered_servers": True}
    if leaf.hub_ca:
        remote["tls"] = {"ca_file": leaf.hub_ca}
    return (
        f"# The leaf node of system {leaf.name} (office {leaf.office}): JetStream domain {leaf.domain!r},\n"
        f"# the feed mirrored from the hub's domain {leaf.hub_domain!r}. Holds the leaf's NKey seed: keep it 0600.\n"
        f'server_name: "aixin-leaf-{leaf.name}"\n'
        f'listen: "{host}:{port}"\n'
        f"max_payload: 4MB\n"
        f'jetstream {{\n  domain: "{leaf.domain}"\n  store_dir: "{leaf.store_dir}"\n  sync_interval: always\n}}\n'
        f"accounts: {json.dumps(accounts, indent=2)}\n"
        f"leafnodes {{\n  remotes: [\n{textwrap.indent(json.dumps(remote, indent=2), '    ')}\n  ]\n}}\n"
    )


def render_mirror_note(leaf: LeafNode) -> str:
    """How to create the mirror once the leaf runs, as comments to append to its configuration."""
    stream = json.dumps(mirror_stream_config(leaf.hub_domain).as_dict())
    return (f"# Once it runs, create the mirror on it as the leaf's user (its seed is the remote's nkey):\n"
            f"#   services.shared.eventlog.feed_mirror.ensure_feed_mirror(js, {leaf.hub_domain!r}), or\n"
            f"#   nats --server nats://<leaf>:{parse_listen(leaf.listen)[1]} --nkey <seed file> "
            f"stream add --config mirror.json\n# with mirror.json:\n#   {stream}\n")
