"""How CLI commands reach a running platform: everything over the HTTP API with a bearer token
(commands by POST, read models and accounts by GET/POST/DELETE); only the read models' admin
subjects (replay, position) over NATS.

A command is built in Python with a placeholder actor (`Command.actor` is required) that is never
sent: the body leaves out `actor` (and each bulk row's), and the API records the signed-in account.
Results keep the shape of the services' replies (`Reply`), so callers read them as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats

from contracts.commands import Command
from contracts.envelope import Actor, FederationLevel
from contracts.replies import HTTP_STATUS, Error, ErrorCode, ErrorDetail, Reply
from services.cli.credentials import Auth, current, denied, detail_of
from services.cli.resend import Resend, message_of
from services.platform.nats_credentials import NatsCredentials, credentials_dir
from services.platform.nats_permissions import ADMIN
from services.platform.settings import RuntimeInfo, default_data_dir, nats_servers

# Stands in for the signed-in account while a command is built; never sent (see `body`).
SIGNED_IN = Actor(operator_id="signed-in", level=FederationLevel.national, region="CN")
CODES = {status: code for code, status in reversed(HTTP_STATUS.items())}
KEEPALIVE_SECONDS, SEND_ATTEMPTS = 2.0, 4
POOL_CONNECTIONS = 8  # connections in each of a command sender's pools


class NotRunning(RuntimeError):
    """The platform is not running, or went away."""


def runtime(data_dir: Path | None) -> RuntimeInfo:
    try:
        return RuntimeInfo.read(data_directory(data_dir))
    except FileNotFoundError as error:
        raise NotRunning(str(error)) from None


def data_directory(data_dir: Path | None) -> Path:
    return (data_dir or default_data_dir()).resolve()


@dataclass
class Connection:
    """A running platform and the account the command acts as."""

    data_dir: Path
    info: RuntimeInfo
    auth: Auth

    @property
    def http_url(self) -> str:
        return self.info.http_url


def connect(data_dir: Path | None) -> Connection:
    directory = data_directory(data_dir)
    info = runtime(directory)
    return Connection(directory, info, current(directory, info.http_url))


def request(connection: Connection, method: str, path: str, *, params: dict | None = None,
            body: dict | None = None, raw: bool = False) -> Any:
    """One HTTP call; 401/403/429 raise AccessDenied, other errors LookupError with the detail.
    `raw`: the answer's bytes (a file), not its JSON."""
    auth = connection.auth
    for renew in (False, True):
        try:
            response = httpx.request(method, connection.http_url + path, params=params, json=body,
                                     headers=auth.headers(renew), timeout=60)
        except ConnectionError as error:  # signing in found nobody
            raise NotRunning(str(error)) from None
        except httpx.HTTPError as error:
            raise NotRunning(f"cannot reach the aixin HTTP API at {connection.http_url} ({error}); "
                             f"is 'aixin up' running?") from None
        if response.status_code != 401 or not auth.renewable or renew:
            break
    if response.status_code in (401, 403, 429):
        raise denied(response, auth.username)
    if response.status_code >= 400:
        raise LookupError(detail_of(response))
    if raw:
        return response.content
    try:
        return response.json() if response.content else {}
    except ValueError:  # a proxy's page, not the API: one clear line instead of a traceback
        raise LookupError(f"{connection.http_url}{path} answered {response.status_code} with something that is "
                          f"not JSON ({response.headers.get('content-type', 'no content type')})") from None


def get(connection: Connection, path: str, **params: Any) -> Any:
    return request(connection, "GET", path, params=params)


def body(command: Command) -> bytes:
    """The command as the API takes it: without its actor, nor any bulk row's."""
    exclude: dict[str, Any] = {"actor": True}
    for name, value in command:
        if isinstance(value, list) and value and isinstance(value[0], Command):
            exclude[name] = {"__all__": {"actor"}}
    return command.model_dump_json(exclude=exclude).encode()


def reply_of(response: httpx.Response, username: str) -> Reply:
    """The HTTP answer to a command as the services' Reply; refusals of the account itself raise."""
    if response.status_code < 300:
        return Reply(ok=True, result=response.json())
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text
    if isinstance(detail, dict) and "code" in detail:  # the service's own answer
        return Reply(ok=False, error=Error.model_validate(detail))
    if response.status_code in (401, 403, 429):
        raise denied(response, username)
    if response.status_code == 503:
        raise NotRunning(f"{detail}; start 'aixin up' and repeat the command — what was acknowledged is kept "
                         f"and nothing is applied twice")
    if isinstance(detail, list):  # FastAPI's validation of the body
        details = [ErrorDetail(loc=[p for p in d.get("loc", []) if p != "body"], msg=d.get("msg", ""))
                   for d in detail]
        message = "; ".join(f"{'.'.join(map(str, d.loc))}: {d.msg}" for d in details)
        return Reply(ok=False, error=Error(code=ErrorCode.invalid, message=message, details=details))
    code = CODES.get(response.status_code, ErrorCode.internal)
    return Reply(ok=False, error=Error(code=code, message=str(detail)))


def pool_layout(in_flight: int) -> tuple[int, int]:
    """How many connection pools `in_flight` requests at once are spread over, and the connections
    of each: POOL_CONNECTIONS at most, as few pools as that allows."""
    pools = -(-max(in_flight, 1) // POOL_CONNECTIONS)
    return pools, -(-max(in_flight, 1) // pools)


class HttpCommands:
    """Sends commands to `POST /commands/<context>/<name>`, many in flight over several small
    connection pools (`http`, the first, is the one for other requests)."""

    def __init__(self, connection: Connection, in_flight: int = 128) -> None:
        self.connection, self.in_flight = connection, in_flight
        self._resend = Resend()

    async def __aenter__(self) -> HttpCommands:
        # httpx's pool walks all its connections for every request it places (encode/httpx#3215): with
        # 64 in flight in one pool, 15 ms of CPU a command. Pools of POOL_CONNECTIONS keep it short.
        pools, per_pool = pool_layout(self.in_flight)
        # Idle connections are let go before uvicorn's keep-alive (5 s) closes them under a request.
        limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool,
                              keepalive_expiry=KEEPALIVE_SECONDS)
        self.pools = [httpx.AsyncClient(base_url=self.connection.http_url, limits=limits) for _ in range(pools)]
        self.http = self.pools[0]
        self._busy = [0] * pools  # requests under way in each pool
        return self

    async def __aexit__(self, *exc) -> None:
        await asyncio.gather(*(pool.aclose() for pool in self.pools))

    @contextlib.contextmanager
    def _least_busy(self) -> Iterator[httpx.AsyncClient]:
        """The pool with the fewest requests under way, counted as taken while the block runs: a
        slow answer in one pool does not hold back requests that another could send at once."""
        index = min(range(len(self.pools)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            yield self.pools[index]
        finally:
            self._busy[index] -= 1

    async def send(self, context: str, name: str, command: Command, timeout: float = 60,
                   auth: Auth | None = None) -> Reply:
        """`auth`: act as another account than the connection's (the demo's district offices)."""
        with self._least_busy() as pool:
            return await self._send(pool, context, name, command, timeout, auth or self.connection.auth)

    async def _send(self, pool: httpx.AsyncClient, context: str, name: str, command: Command, timeout: float,
                    auth: Auth) -> Reply:
        content, renew, retries = body(command), False, self._resend.delays()
        for attempt in itertools.count(1):
            try:
                headers = {**await auth.aheaders(self.http, renew), "Content-Type": "application/json"}
                response = await pool.post(f"/commands/{context}/{name}", content=content,
                                           headers=headers, timeout=timeout)
            except httpx.TimeoutException as error:
                if (delay := next(retries, None)) is None:
                    raise TimeoutError(f"no answer from the HTTP API in {timeout:g} s") from error
                await self._resend.after(command, f"no answer in {timeout:g} s", delay)
                continue
            except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
                # A pooled connection closed under the request: its command id makes sending it again safe.
                if attempt < SEND_ATTEMPTS and not isinstance(error, httpx.ConnectError):
                    await asyncio.sleep(0.05 * attempt)
                    continue
                raise NotRunning(f"lost the connection to aixin at {self.connection.http_url} "
                                 f"({type(error).__name__}: {error}); start 'aixin up' again and repeat the "
                                 f"command — what was acknowledged is kept and nothing is applied twice") from None
            if response.status_code == 401 and auth.renewable and not renew:
                renew = True  # the token ran out: sign in again, once
                continue
            if response.status_code == 503 and (delay := next(retries, None)) is not None:
                await self._resend.after(command, message_of(response), delay)
                continue
            return reply_of(response, auth.username)


class AdminClient:
    """The read models' admin subjects over NATS (replay, position): no commands, no personal data."""

    def __init__(self, nats_url: str, data_dir: Path) -> None:
        # As the platform's admin NATS user, whose NKey is in the data dir (mode 0600): replays and
        # positions are for whoever runs the platform on this machine.
        self.nats_url = nats_url
        directory = credentials_dir(data_dir)
        self.options = (NatsCredentials.load(directory).connect_options(ADMIN)
                        if NatsCredentials.exists(directory) else {})

    async def __aenter__(self) -> AdminClient:
        self.closed = asyncio.Event()
        try:
            self.nc = await nats.connect(
                nats_servers(self.nats_url), connect_timeout=5, max_reconnect_attempts=3, reconnect_time_wait=1,
                error_cb=self._connection_error, closed_cb=self._connection_closed, **self.options)
        except Exception as error:
            raise NotRunning(f"cannot reach NATS at {self.nats_url} ({error}); is 'aixin up' running?") from None
        return self

    async def _connection_error(self, error: Exception) -> None:
        pass  # reconnection is attempted; if it fails, `closed` ends every waiting request

    async def _connection_closed(self) -> None:
        self.closed.set()

    async def __aexit__(self, *exc) -> None:
        if not self.nc.is_closed:
            await self.nc.drain()

    async def request(self, subject: str, payload: dict, timeout: float = 600) -> dict:
        """A request that fails at once when the connection is lost for good, instead of waiting
        for its timeout (nats-py leaves pending requests waiting when a connection closes)."""
        request = asyncio.ensure_future(self.nc.request(subject, json.dumps(payload).encode(), timeout=timeout))
        closed = asyncio.ensure_future(self.closed.wait())
        await asyncio.wait({request, closed}, return_when=asyncio.FIRST_COMPLETED)
        closed.cancel()
        if request.done():
            return json.loads(request.result().data)
        request.cancel()
        raise NotRunning(f"lost the connection to aixin at {self.nats_url}; start 'aixin up' again and "
                         f"repeat the command — what was acknowledged is kept and nothing is applied twice")

