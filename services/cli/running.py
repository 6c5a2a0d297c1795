"""`aixin up` and `serve`: the commands that run the platform."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from services.cli.common import DataDir, console, fail, host_port
from services.platform import event_loop
from services.platform.settings import Settings, check_api_processes


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
    api_processes: Annotated[Optional[int], typer.Option(
        "--api-processes", help="the HTTP API's processes, sharing its port (default 1, or AIXIN_API_PROCESSES); "
                                "more where cores are to spare")] = None,
) -> None:
    """Run the whole platform: embedded nats-server and the four services, and in child processes
    the log followers, an import worker and the HTTP API."""
    host, port = host_port(http)
    try:
        settings = Settings.from_env(data_dir, nats_url=nats_url, http_host=host, http_port=port,
                                     feed_listen=feed_listen, feed_advertise=feed_advertise,
                                     feed_tls_cert=feed_tls_cert, feed_tls_key=feed_tls_key, feed_tls_ca=feed_tls_ca,
                                     leaf_listen=leaf_listen,
                                     api_processes=None if api_processes is None else check_api_processes(api_processes))
        event_loop.run(_run_up(settings))
    except (OSError, ValueError) as error:
        fail(str(error))


async def _run_up(settings: Settings) -> None:
    """The platform of `aixin up`, announced once started, until Ctrl-C."""
    from services.platform.children import UP_CHILDREN
    from services.platform.runtime import Platform

    platform = Platform(settings, children=UP_CHILDREN)
    platform.stop_on_signals()
    try:
        info = await platform.start()
    except BaseException:  # e.g. the data dir in use: nothing was running, nothing to announce
        await platform.stop()
        raise
    try:
        console.print(f"aixin is up (data in {settings.data_dir})\n"
                      f"  NATS      {info.nats_url}{' (embedded)' if platform.embedded else ''}\n"
                      f"{_feed_line(platform)}"
                      f"  HTTP API  {info.http_url}  (OpenAPI: {info.http_url}/docs)\n{_processes(settings)}"
                      f"  read models {info.db_url}\nPress Ctrl-C to stop.")
        await platform.run_until_signalled()
    finally:
        console.print("stopping…")
        await platform.stop()


def _processes(settings: Settings) -> str:
    count = settings.api_processes
    return f"            served by {count} processes sharing the port\n" if count > 1 else ""


def _feed_line(platform) -> str:
    listener = platform.embedded.listener if platform.embedded else None
    if not listener or not listener.tls:
        return ""
    return f"  feed      {listener.public_url} for outside systems (aixin systems add NAME --office CODE)\n"


def serve(
    services: Annotated[list[str], typer.Argument(
        help="intake, imports (bulk registrations only), pairing, activity, reporting, projections, reminders, feeds, "
             "api")],
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
        platform.stop_on_signals()
        try:
            await platform.start()
            console.print(f"serving {', '.join(services)} on {nats_url}")
            await platform.run_until_signalled()
        finally:
            await platform.stop()

    event_loop.run(main())
