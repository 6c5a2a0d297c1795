"""`aixin systems …` and `aixin nats-config`: NATS credentials for provincial and city systems that
subscribe to their subtree's events, and the authorization block for an external NATS cluster.

These work on the data dir itself (its files are the machine operator's, mode 0600), not over the
API: a system's credential is a key to the log, not an account of the web application.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from contracts.subjects import STREAM, subtree_filter
from services.cli.client import data_directory
from services.cli.common import AsJson, DataDir, console, fail
from services.platform.embedded_nats import EmbeddedNats
from services.platform.nats_credentials import NatsCredentials, credentials_dir
from services.platform.nats_permissions import inbox_prefix

systems_app = typer.Typer(help="Provincial and city systems that read their subtree's events from NATS.",
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
    """A NATS user that may read its office's subtree (aixin.evt.<office>.>) and nothing else."""
    credentials = _credentials(data_dir)
    try:
        seed_file = credentials.add_system(name, office)
    except ValueError as error:
        fail(str(error))
    subtree = subtree_filter(office)
    console.print(f"system {name}: office {office}, may read {subtree}", highlight=False)
    console.print(f"its NKey seed: {seed_file} (mode 0600); hand it to the system's operators over a secure "
                  f"channel and delete your copy", highlight=False, soft_wrap=True)
    console.print(f"it connects with nkeys_seed={seed_file.name!r} and inbox_prefix={inbox_prefix(name)!r}; it may "
                  f"subscribe to {subtree} and create one consumer on stream {STREAM}, named {name!r}, with "
                  f"filter_subject {subtree!r}", highlight=False, soft_wrap=True)
    console.print(_apply(credentials), highlight=False)


@systems_app.command("list")
def list_systems(json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """The systems that may read the log, and their subtrees."""
    credentials = _credentials(data_dir)
    rows = [{"name": name, "office": s["office"], "reads": subtree_filter(s["office"])}
            for name, s in sorted(credentials.systems.items())]
    if json_out:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("system", "office", "reads", title="systems reading the log")
    for row in rows:
        table.add_row(row["name"], row["office"], row["reads"])
    console.print(table)


@systems_app.command()
def remove(name: str, data_dir: DataDir = None) -> None:
    """Take a system's credential away (its open connections end at the server's reload)."""
    credentials = _credentials(data_dir)
    try:
        credentials.remove_system(name)
    except ValueError as error:
        fail(str(error))
    console.print(f"system {name} removed; {_apply(credentials)}", highlight=False)


def nats_config(data_dir: DataDir = None) -> None:
    """Print the nats-server authorization block (public keys and permissions of every aixin
    service and system) for an external NATS cluster; the seeds stay in the data dir."""
    credentials = _credentials(data_dir)
    typer.echo(f"# aixin's NATS users; the services read their seeds from {credentials.path}\n"
               + credentials.server_config())
