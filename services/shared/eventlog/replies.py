"""One reply inbox per connection for the log's direct gets.

A batched direct get is answered with several messages on the reply subject. Subscribing a fresh
inbox for each request, and unsubscribing after, cost a command a SUB and an UNSUB round on the
server and about a tenth of a command service's CPU (py-spy, RegisterChild 64 in flight). Instead
one wildcard subscription (`<inbox>.*`) takes every answer, and each request waits on a queue of
its own, named by the last token of its reply subject. The subscription is made again by the
client after a reconnection, like any other.
"""

from __future__ import annotations

import asyncio
import itertools

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout

REPLY_TIMEOUT = 10.0  # seconds for each message of an answer


class ReplyInbox:
    def __init__(self, nc) -> None:
        self._nc = nc
        self._prefix: str | None = None
        self._waiting: dict[str, asyncio.Queue[Msg]] = {}
        self._tokens = itertools.count()
        self._opening = asyncio.Lock()

    async def ask(self, subject: str, payload: bytes) -> Answer:
        """Send `payload` to `subject`; the `Answer` yields its reply messages one by one."""
        prefix = self._prefix or await self._open()
        token = str(next(self._tokens))
        self._waiting[token] = queue = asyncio.Queue()
        try:
            await self._nc.publish(subject, payload, reply=f"{prefix}.{token}")
        except BaseException:
            del self._waiting[token]
            raise
        return Answer(self, token, queue)

    async def _open(self) -> str:
        async with self._opening:
            if self._prefix is None:
                prefix = self._nc.new_inbox()
                await self._nc.subscribe(f"{prefix}.*", cb=self._received)
                self._prefix = prefix
        return self._prefix

    async def _received(self, msg: Msg) -> None:
        queue = self._waiting.get(msg.subject.rsplit(".", 1)[-1])
        if queue is not None:  # an answer to a request given up on (timed out) is let go
            queue.put_nowait(msg)

    def _done(self, token: str) -> None:
        self._waiting.pop(token, None)


class Answer:
    """The messages of one request's answer, each awaited at most REPLY_TIMEOUT seconds (nats-py's
    TimeoutError after that, as `next_msg` raised); `close` once read, also on failure."""

    def __init__(self, inbox: ReplyInbox, token: str, queue: asyncio.Queue[Msg]) -> None:
        self._inbox, self._token, self._queue = inbox, token, queue

    async def next(self) -> Msg:
        if not self._queue.empty():  # the rest of a batch comes in one burst: no timer for it
            return self._queue.get_nowait()
        try:
            return await asyncio.wait_for(self._queue.get(), REPLY_TIMEOUT)
        except TimeoutError:
            raise NatsTimeout() from None

    def close(self) -> None:
        self._inbox._done(self._token)
