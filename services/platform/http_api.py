"""The HTTP API's listening socket and server. `aixin up` binds the socket once, in its main process,
and hands it to each of its API processes (`Settings.api_processes`), as uvicorn's own workers
share theirs: every process accepts connections from the one queue, so a busy process takes fewer,
and a port in use is told by `aixin up` itself before any child starts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from pathlib import Path

import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from services.accounts import AccountCache, AccountService, open_accounts
from services.accounts.bootstrap import create_first_admin
from services.shared.eventlog import EventLog

START_POLL = 0.05
log = logging.getLogger("aixin")


async def api_accounts(nc, event_log: EventLog, keys_engine: AsyncEngine, data_dir: Path,
                       first_admin: bool) -> tuple[AccountService, AccountCache]:
    """The account service of an API process, with the accounts behind tokens kept in memory while
    its NATS connection is up (services.accounts.cache); with `first_admin`, the national admin made
    on the first start, her password written to data_dir/credential.json."""
    cache = AccountCache(lambda: nc.stats["reconnects"] if nc.is_connected else None)
    accounts = await open_accounts(event_log, keys_engine, data_dir, cache=cache)
    if first_admin and await create_first_admin(accounts, data_dir):
        log.info("created the national admin account; its password is in %s", data_dir / "credential.json")
    return accounts, cache


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, inheritable by the API processes; OSError saying which."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise OSError(f"HTTP API could not listen on {host}:{port}: {error.strerror or error}") from None
    sock.set_inheritable(True)
    return sock


async def serve_http(app, host: str, port: int, fd: int | None, tasks: list[asyncio.Task]) -> uvicorn.Server:
    """uvicorn serving `app` on host:port, or on the inherited socket `fd`; returns once it listens."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = _QuietServer(config)
    sockets = None if fd is None else [socket.socket(fileno=fd)]
    task = asyncio.create_task(server.serve(sockets=sockets), name="http")
    tasks.append(task)
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError(f"HTTP API could not listen on {host}:{port}")
        await asyncio.sleep(START_POLL)
    return server


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the platform stops it along with everything else."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield
