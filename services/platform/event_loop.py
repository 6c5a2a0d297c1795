"""The event loop every aixin process runs on: uvloop's where it is installed (Linux and macOS,
a dependency there), asyncio's own elsewhere.

uvloop runs the same asyncio code with its loop, sockets and timers in C (libuv). Measured on a
2-core machine, with asyncio's loop and then this one: RegisterChild over NATS with 64 in flight
457 → 690/s (the command services' process being the bound), a rebuild of every read model 3,233
→ 4,380 events/s (the log followers' process).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

try:
    import uvloop
except ImportError:  # Windows: no uvloop, asyncio's loop
    uvloop = None

T = TypeVar("T")


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
