"""`aixin systems …` and `aixin nats-config`: NATS accounts for provincial and city systems that
read their subtree's feed (`contracts.feed`), and the accounts block for an external NATS cluster.

These work on the data dir itself (its files are the machine operator's, mode 0600), not over the
API: a system's credential is a key to the log, not an account of the web application.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated, Optional

import nats
import typer
from rich.table import Table

from contracts.feed.subjects import FEED_STREAM, feed_filter
from services.cli.client import data_directory, runtime
from services.cli.cluster import write_cluster
from services.cli.common import AsJson, DataDir, console, fail, run
from services.shared.eventlog.feed_stream import delete_feed_stream
from services.platform.embedded_nats import EmbeddedNats
from services.platform import event_loop
from services.platform.data_dir import write_private
from services.platform.feed_bundle import write_bundle
from services.platform.leaf_config import leaf_node, render_leaf_config, render_mirror_note
from services.platform.nats_credentials import SYSTEMS_DIR, NatsCredentials, credentials_dir
from services.platform.nats_listener import Listener
from services.platform.nats_permissions import system_account
from services.platform.settings import nats_servers

systems_app = typer.Typer(help="Provincial and city systems that read their subtree's feed from NATS.",
                          no_args_is_help=True)


def _credentials(data_dir) -> NatsCredentials:
    directory = credentials_dir(data_directory(data_dir))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return NatsCredentials.load_or_create(directory)


def _apply(credentials: NatsCredentials) -> str:
    """The embedded server, if it runs, takes the new users at once; else at its next start."""
    if EmbeddedNats(credentials.data_dir / "nats").reload_running(credentials.server_config()):
        return "the running nats-server has reloaded its users"
    return ("takes effect when 'aixin up' starts (for an external NATS: put 'aixin nats-config' into its "
            "configuration and reload it)")


@systems_app.command()
def add(name: Annotated[str, typer.Argument(help="a-z, 0-9 and '-', e.g. guangdong")],
        office: Annotated[str, typer.Option("--office", help="the division code of its subtree, e.g. 44")],
        data_dir: DataDir = None) -> None:
    """An outside system, walled off in a NATS account of its own that holds its subtree's feed
    (aixin.feed.<office>.>) and nothing else; writes its connection bundle."""
    credentials = _credentials(data_dir)
    try:
        credentials.add_system(name, office)
    except ValueError as error:
        fail(str(error))
    bundle_file = write_bundle(credentials, name)
    bundle = json.loads(bundle_file.read_text())
    console.print(f"system {name}: office {office}, reads {bundle['subjects']} from stream {FEED_STREAM} "
                  f"in its own account", highlight=False)
    console.print(f"its connection bundle: {bundle_file} (mode 0600: URL, NKey seed, CA, stream, consumer, "
                  f"subject scheme); hand it to the system's operators over a secure channel and delete your "
                  f"copy", highlight=False, soft_wrap=True)
    console.print(f"it connects to {bundle['url']} and reads with a durable pull consumer named "
                  f"{bundle['consumer']!r} (see examples/province_subscriber.py); the feed keeps "
                  f"{bundle['retention_days']} days", highlight=False, soft_wrap=True)
    if not bundle["url"].startswith("tls://"):
        console.print("note: NATS listens on loopback only; for systems on other machines start the platform "
                      "with 'aixin up --feed-listen 0.0.0.0:4222' and run 'aixin systems bundle NAME' again",
                      highlight=False, soft_wrap=True)
    console.print(_apply(credentials), highlight=False)


@systems_app.command()
def bundle(name: str, data_dir: DataDir = None) -> None:
    """Write a system's connection bundle again (after the feed listener or its certificate changed)."""
    credentials = _credentials(data_dir)
    if name not in credentials.systems:
        fail(f"no system named {name!r}; 'aixin systems list' shows them")
    console.print(f"written: {write_bundle(credentials, name)}", highlight=False)


@systems_app.command()
def refeed(name: str, data_dir: DataDir = None) -> None:
    """Rebuild a system's feed from the log: its stream is deleted and written again from the first
    event, with the same message ids and origin sequences (its consumers go with it: the system
    makes its consumer again and skips what its cursor, the origin_seq, says it has read)."""
    credentials = _credentials(data_dir)
    if name not in credentials.systems:
        fail(f"no system named {name!r}; 'aixin systems list' shows them")

    async def delete() -> bool:
        nc = await nats.connect(nats_servers(runtime(credentials.data_dir).nats_url), allow_reconnect=False,
                                **credentials.feeder_options(name))
        try:
            return await delete_feed_stream(nc.jetstream())
        finally:
            await nc.close()

    deleted = run(delete())
    console.print(f"feed of {name} {'deleted' if deleted else 'was not there'}; the platform writes it again from "
                  f"the first event of the log", highlight=False)


@systems_app.command("list")
def list_systems(json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """The systems that read a feed, and their subtrees."""
    credentials = _credentials(data_dir)
    rows = [{"name": name, "office": s["office"], "reads": feed_filter(s["office"])}
            for name, s in sorted(credentials.systems.items())]
    if json_out:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("system", "office", "reads", title="systems reading the feed")
    for row in rows:
        table.add_row(row["name"], row["office"], row["reads"])
    console.print(table)


@systems_app.command()
def remove(name: str, data_dir: DataDir = None) -> None:
    """Take a system's account away: its connections are closed at once (the server reloads), its
    credential and bundle are deleted, and its feed is gone."""
    credentials = _credentials(data_dir)
    if name not in credentials.systems:
        fail(f"no system named {name!r}; 'aixin systems list' shows them")
    # Its feed first, while its feeder may still connect (a server keeps a removed account's streams
    # for the account's return): a system added again under the name starts from an empty feed,
    # with its new pseudonyms only.
    _delete_feed(credentials, name)
    credentials.remove_system(name)
    (credentials.data_dir / SYSTEMS_DIR / f"{name}.json").unlink(missing_ok=True)
    console.print(f"system {name} removed, its feed deleted; {_apply(credentials)}", highlight=False)


def _delete_feed(credentials: NatsCredentials, name: str) -> None:
    """Through the running server; else from the embedded server's store."""
    async def delete() -> None:
        nc = await nats.connect(nats_servers(runtime(credentials.data_dir).nats_url), allow_reconnect=False, connect_timeout=5,
                                **credentials.feeder_options(name))
        try:
            await delete_feed_stream(nc.jetstream())
        finally:
            await nc.close()
    try:
        event_loop.run(delete())
    except Exception:  # not running, or an external NATS out of reach: the embedded store, if any
        shutil.rmtree(credentials.data_dir / "nats" / "jetstream" / "jetstream" / system_account(name),
                      ignore_errors=True)


def nats_config(
    leaf: Annotated[Optional[str], typer.Option(
        "--leaf", help="a system's name: print the configuration of its province's leaf node instead")] = None,
    hub_url: Annotated[Optional[str], typer.Option(
        "--hub-url", help="with --leaf: where the hub takes leaf nodes ('aixin up --leaf-listen'), "
                          "e.g. nats-leaf://hub.example.cn:7422")] = None,
    cluster: Annotated[Optional[str], typer.Option(
        "--cluster", help="write a NATS cluster's node configurations instead: its nodes as HOST[:PORT[:ROUTE_PORT"
                          "[:MONITOR_PORT]]], comma-separated, e.g. nats-1,nats-2,nats-3")] = None,
    bind: Annotated[str, typer.Option(help="with --cluster: the address each node listens on")] = "0.0.0.0",
    listen: Annotated[str, typer.Option(help="with --leaf: where the leaf takes its systems")] = "0.0.0.0:4222",
    store_dir: Annotated[Optional[str], typer.Option(
        help="the JetStream store (--leaf: /var/lib/aixin-leaf/jetstream; --cluster: /data/jetstream, "
             "'{node}' standing for the node's name)")] = None,
    hub_ca: Annotated[str, typer.Option(help="with --leaf, for a hub with TLS: where the leaf finds the "
                                             "hub's CA")] = "/etc/aixin-leaf/hub-ca.pem",
    out: Annotated[Optional[Path], typer.Option(help="with --leaf: write it there (0600) rather than print it; "
                                                     "with --cluster: the directory of the nodes' files")] = None,
    data_dir: DataDir = None,
) -> None:
    """Print the nats-server accounts block (public keys and permissions of every aixin service,
    and an account per system) for an external NATS cluster; the seeds stay in the data dir. With
    --leaf NAME: the configuration of a province's leaf node holding that system's feed. With
    --cluster NODES: each node's configuration, with aixin's accounts, routes and fsync before
    acknowledgement, into --out."""
    credentials = _credentials(data_dir)
    if cluster is not None:
        write_cluster(credentials, cluster, out, store_dir, bind)
        return
    if leaf is None:
        typer.echo(f"# aixin's NATS users; the services read their seeds from {credentials.path}\n"
                   + credentials.server_config())
        return
    _leaf_config(credentials, leaf, hub_url, listen, store_dir, hub_ca, out)


def _leaf_config(credentials: NatsCredentials, leaf: str, hub_url: str | None, listen: str, store_dir: str | None,
                 hub_ca: str, out: Path | None) -> None:
    """`nats-config --leaf NAME`: the leaf node of a province holding that system's feed."""
    if leaf not in credentials.systems:
        fail(f"no system named {leaf!r}; 'aixin systems list' shows them")
    if not hub_url:
        fail("--leaf needs --hub-url: where the hub takes leaf nodes (start it with 'aixin up --leaf-listen "
             "0.0.0.0:7422'), e.g. nats-leaf://hub.example.cn:7422")
    listener = Listener.load(credentials.data_dir / "nats")
    tls = listener.tls if listener else None
    node = leaf_node(credentials, leaf, hub_url, listen=listen, store_dir=store_dir, hub_ca=hub_ca if tls else None)
    text = render_leaf_config(node) + render_mirror_note(node)
    if out:
        write_private(out, text)
        typer.echo(f"written: {out} (it holds the leaf's key: hand it over a secure channel)", err=True)
    else:
        typer.echo(text)
    if tls:
        typer.echo(f"the hub has TLS: copy its CA {tls.ca} to {hub_ca} on the leaf", err=True)
    typer.echo(_apply(credentials), err=True)
