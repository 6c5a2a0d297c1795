"""`aixin up`, `serve`, `demo` and `bench`: commands that run the platform, or run work through it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.cli.client import AdminClient, HttpCommands, connect
from services.cli.common import DataDir, console, fail, host_port, run
from services.platform import event_loop
from services.platform.settings import Settings


def up(
    data_dir: DataDir = None,
    http: Annotated[str, typer.Option(help="HOST:PORT of the HTTP API")] = "127.0.0.1:8765",
    nats_url: Annotated[Optional[str], typer.Option("--nats-url", help="external NATS; default: embedded nats-server")] = None,
    feed_listen: Annotated[Optional[str], typer.Option(
        "--feed-listen", help="HOST:PORT where outside systems reach the embedded NATS, with TLS "
                              "(e.g. 0.0.0.0:4222); kept for later starts")] = None,
    feed_advertise: Annotated[Optional[str], typer.Option(
        "--feed-advertise", help="the host name systems are told to connect to (default: this machine's)")] = None,
    feed_tls_cert: Annotated[Optional[Path], typer.Option(help="the feed listener's certificate (PEM); "
                                                               "default: one made by a CA of this data dir")] = None,
    feed_tls_key: Annotated[Optional[Path], typer.Option(help="its private key (PEM)")] = None,
    feed_tls_ca: Annotated[Optional[Path], typer.Option(help="the CA that signed it, handed to systems")] = None,
    leaf_listen: Annotated[Optional[str], typer.Option(
        "--leaf-listen", help="HOST:PORT where provinces' leaf nodes connect (e.g. 0.0.0.0:7422; with the "
                              "feed listener's TLS); see 'aixin nats-config --leaf'")] = None,
) -> None:
    """Run the whole platform: embedded nats-server, the four services and the HTTP API (the log
    followers and an import worker in child processes)."""
    from services.platform.children import UP_CHILDREN
    from services.platform.runtime import Platform

    host, port = host_port(http)
    settings = Settings.from_env(data_dir, nats_url=nats_url, http_host=host, http_port=port,
                                 feed_listen=feed_listen, feed_advertise=feed_advertise, feed_tls_cert=feed_tls_cert,
                                 feed_tls_key=feed_tls_key, feed_tls_ca=feed_tls_ca, leaf_listen=leaf_listen)

    async def main() -> None:
        platform = Platform(settings, children=UP_CHILDREN)
        try:
            info = await platform.start()
        except BaseException:  # e.g. the data dir in use: nothing was running, nothing to announce
            await platform.stop()
            raise
        try:
            console.print(f"aixin is up (data in {settings.data_dir})\n"
                          f"  NATS      {info.nats_url}{' (embedded)' if platform.embedded else ''}\n"
                          f"{_feed_line(platform)}"
                          f"  HTTP API  {info.http_url}  (OpenAPI: {info.http_url}/docs)\n"
                          f"  read models {info.db_url}\nPress Ctrl-C to stop.")
            await platform.run_until_signalled()
        finally:
            console.print("stopping…")
            await platform.stop()

    try:
        event_loop.run(main())
    except (OSError, ValueError) as error:
        fail(str(error))


def _feed_line(platform) -> str:
    listener = platform.embedded.listener if platform.embedded else None
    if not listener or not listener.tls:
        return ""
    return f"  feed      {listener.public_url} for outside systems (aixin systems add NAME --office CODE)\n"


def serve(
    services: Annotated[list[str], typer.Argument(
        help="intake, imports (bulk registrations only), pairing, activity, projections, reminders, feeds, api")],
    data_dir: DataDir = None,
    nats_url: Annotated[Optional[str], typer.Option("--nats-url", envvar="AIXIN_NATS_URL")] = None,
    http: Annotated[str, typer.Option(help="HOST:PORT of the HTTP API")] = "127.0.0.1:8765",
) -> None:
    """Run some services alone against an external NATS (as in compose.yaml)."""
    from services.platform.runtime import SERVICES, Platform

    unknown = [s for s in services if s not in SERVICES]
    if unknown:
        fail(f"unknown service {unknown[0]!r}; choose from {', '.join(SERVICES)}")
    if not nats_url:
        fail("serve needs --nats-url (or AIXIN_NATS_URL); use 'aixin up' for the embedded platform")
    host, port = host_port(http)
    settings = Settings.from_env(data_dir, nats_url=nats_url, http_host=host, http_port=port)

    async def main() -> None:
        platform = Platform(settings, services=tuple(services))
        try:
            await platform.start()
            console.print(f"serving {', '.join(services)} on {nats_url}")
            await platform.run_until_signalled()
        finally:
            await platform.stop()

    event_loop.run(main())


def demo(
    children: Annotated[int, typer.Option(min=1, max=1_000_000)] = 1000,
    seed: int = 1,
    data_dir: DataDir = None,
) -> None:
    """Fill a plausible federation over the HTTP API (needs 'aixin up'), sent by its offices' accounts.

    The signed-in admin creates a caseworker and an approver per district and a viewer per province
    (passwords in data_dir/demo-accounts.json); each district's caseworker sends its commands."""
    from services.cli.demo import IN_FLIGHT, Demo, wait_for_read_models
    from services.cli.demo_accounts import DemoSender, ensure_accounts, sign_in_hint

    async def main() -> None:
        connection = connect(data_dir)
        async with HttpCommands(connection, in_flight=IN_FLIGHT) as commands:
            path, accounts = await ensure_accounts(commands)
            columns = (TextColumn("{task.description:>16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=console) as progress:
                refused = await Demo(DemoSender(commands, accounts), children, seed, progress).run()
        async with AdminClient(connection.info.nats_url, connection.data_dir) as admin:
            position = await wait_for_read_models(admin)
        console.print(f"done; log at sequence {position['stream_last_seq']}, read models at {position['applied']}")
        for reason, count in refused.items():
            console.print(f"  refused {count}× {reason}")
        console.print(sign_in_hint(path, accounts), highlight=False, soft_wrap=True)

    run(main())


def bench(
    events: Annotated[int, typer.Option(help="events the rebuilds replay at least (topped up)")] = 5000,
    commands: Annotated[int, typer.Option(help="commands to time per kind with 64 in flight (a tenth one at a time)")] = 2000,
    rows: Annotated[int, typer.Option(help="rows of a civil-affairs list to import (0: skip)")] = 5000,
    peer: Annotated[bool, typer.Option("--peer", help="also run the peer: pyeventsourcing on SQLite "
                                                      "(pip install 'aixin[bench]')")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object of the figures on standard "
                                                         "output (the table goes to standard error)")] = False,
    each_model: Annotated[bool, typer.Option(help="rebuild each read model alone too, not only all at once")] = True,
    scale: Annotated[Optional[int], typer.Option(min=1000, help="instead: stats reads with this many children in the "
                                                 "read models, and a rebuild of a log this long with the followers' memory "
                                                 "(minutes at 1000000)")] = None,
    pg_url: Annotated[Optional[str], typer.Option(help="with --scale: a PostgreSQL database whose read-model tables "
                                                       "may be dropped, for the stats reads on PostgreSQL")] = None,
    scale_part: Annotated[Optional[str], typer.Option(help="with --scale: only 'stats' (the reads) or only "
                                                           "'rebuild' (the log and its rebuild); default both")] = None,
) -> None:
    """Raw JetStream rates (publish, ordered read), commands/s over HTTP and NATS, import rows/s,
    rebuild events/s per read model and all at once, acknowledgement-to-visible latency, stats read
    times at six levels, and with --peer pyeventsourcing doing the same work, all in one run."""
    import json

    from rich.console import Console

    from services.cli.bench import run_bench

    from services.cli.bench_peer import PeerUnavailable

    shown = Console(stderr=True) if as_json else console
    if scale:
        from services.cli.bench_scale import PARTS, run_scale

        if scale_part is not None and scale_part not in PARTS:
            fail(f"--scale-part: {scale_part!r} is not one of {', '.join(PARTS)}")
        figures = run(run_scale(scale, shown, pg_url, (scale_part,) if scale_part else PARTS))
        if as_json:
            print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    try:
        figures = run(run_bench(events=events, commands=commands, console=shown, imports=rows, peer=peer,
                                each_model=each_model))
    except PeerUnavailable as error:
        fail(str(error))
    if as_json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
