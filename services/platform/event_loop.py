"""The event loop every aixin process runs on: uvloop's where it is installed (Linux and macOS,
a dependency there), asyncio's own elsewhere.

uvloop runs the same asyncio code with its loop, sockets and timers in C (libuv). Measured on a
2-core machine, with asyncio's loop and then this one: RegisterChild over NATS with 64 in flight
457 → 690/s (the command services' process being the bound), a rebuild of every read model 3,233
→ 4,380 events/s (the log followers' process).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

try:
    import uvloop
except ImportError:  # Windows: no uvloop, asyncio's loop
    uvloop = None

T = TypeVar("T")


class _QuietTlsEof(logging.Filter):
    """nats-py's reader answers a peer's end of stream by asking to keep the transport open, which
    TLS transports ignore, saying so in a warning at every close of a TLS connection to NATS (the
    feed listener's): nothing is wrong, and an operator should not be told otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "eof_received() has no effect when using ssl" not in record.getMessage()


logging.getLogger("asyncio").addFilter(_QuietTlsEof())


def new_event_loop() -> asyncio.AbstractEventLoop:
    return uvloop.new_event_loop() if uvloop is not None else asyncio.new_event_loop()


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coroutine)` on the loop above."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(coroutine)


def loop_name() -> str:
    """The running loop's, for a benchmark's header (the child processes run on `new_event_loop`'s)."""
    if uvloop is not None and isinstance(asyncio.get_running_loop(), uvloop.Loop):
        return f"uvloop {uvloop.__version__}"
    return "asyncio"
