"""Serving command routers over NATS request/reply with nats-py itself.

FastStream's consume path (its task group, middleware stack, context and logging scopes per
message) cost about a third of a command service's CPU for a RegisterChild (py-spy with --gil,
64 in flight over NATS: 52 % of the process in `_consume_msg` against 36 % in the command's own
`execute`). A command endpoint needs none of it: the body as it came, one reply. So the command
services subscribe with the client directly: one subscription per command in the service's queue
group, each message handled in a task of its own, at most `workers` at once per subscription (the
subscription's callback waits for a free place, so a burst queues in the client, not in memory
without bound). Stopping unsubscribes first and lets the commands under way finish and answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.aio.msg import Msg

log = logging.getLogger("aixin.commands")
Endpoint = Callable[[bytes], Awaitable[bytes]]


@dataclass(frozen=True)
class CommandRouter:
    """The endpoints of one context: subject → endpoint, served in `queue` by `workers` at once."""

    queue: str
    endpoints: dict[str, Endpoint]
    workers: int = 32


@dataclass
class CommandServer:
    """What `command_broker` hands out: include routers, start, stop — as FastStream's broker did.
    Takes nats-py's connect options (credentials, `name`, `inbox_prefix`, reconnection) and
    `graceful_timeout`, the seconds a stop waits for the commands under way."""

    servers: str | list[str]
    options: dict[str, Any] = field(default_factory=dict)
    routers: list[CommandRouter] = field(default_factory=list)
    _nc: nats.NATS | None = None
    _subscriptions: list = field(default_factory=list)
    _running: set[asyncio.Task] = field(default_factory=set)

    def include_router(self, router: CommandRouter) -> None:
        self.routers.append(router)

    async def start(self) -> None:
        self._nc = await nats.connect(self.servers, **_connect_options(self.options))
        for router in self.routers:
            for subject, endpoint in router.endpoints.items():
                self._subscriptions.append(await self._nc.subscribe(
                    subject, queue=router.queue, cb=self._handler(endpoint, asyncio.Semaphore(router.workers))))

    def _handler(self, endpoint: Endpoint, places: asyncio.Semaphore) -> Callable[[Msg], Awaitable[None]]:
        async def received(msg: Msg) -> None:
            await places.acquire()
            task = asyncio.create_task(self._answer(endpoint, msg, places))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return received

    async def _answer(self, endpoint: Endpoint, msg: Msg, places: asyncio.Semaphore) -> None:
        try:
            reply = await endpoint(msg.data)
            if msg.reply:
                await self._nc.publish(msg.reply, reply)
        except Exception:  # the endpoint answers every fault itself; this is the reply's publish failing
            log.exception("the reply on %s could not be sent", msg.subject)
        finally:
            places.release()

    async def stop(self) -> None:
        if self._nc is None:
            return
        for subscription in self._subscriptions:
            try:
                await subscription.unsubscribe()
            except Exception:  # the connection is gone already: nothing more will arrive anyway
                pass
        if self._running:
            await asyncio.wait(set(self._running), timeout=self.options.get("graceful_timeout", 10.0))
        try:
            await self._nc.drain()
        except Exception as error:
            log.warning("closing the command connection: %r", error)
        self._nc = None

    async def __aenter__(self) -> CommandServer:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()


def _connect_options(options: dict[str, Any]) -> dict[str, Any]:
    """nats-py's options: all but the stop's bound, which is this server's."""
    return {name: value for name, value in options.items() if name != "graceful_timeout"}
