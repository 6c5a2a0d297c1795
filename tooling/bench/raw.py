"""The baseline of every figure `aixin bench` prints: raw JetStream publishes on the same server,
and the clock that times a number of calls with a number in flight."""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

from nats.js.api import StorageType, StreamConfig

from services.shared.eventlog import DUPLICATE_WINDOW_SECONDS

BENCH_STREAM = "AIXIN_BENCH_RAW"
# A stored ChildRegistered envelope (sealed name, address and guardian) is about 1.1 kB, more than
# the 700 bytes first guessed; the baseline uses the measured size so it moves the same bytes.
EVENT_BYTES = 1100
RAW_SUBJECT = "bench.raw.44.4401.440105.440105001.440105001101.child."  # as deep as a real subject


async def raw_publish_seconds(nc, count: int, in_flight: int, took: list[float] | None = None) -> float:
    """Publish like `EventLog._publish_one` does (js.publish, msg id, expected subject sequence,
    one subject per aggregate) so the server does the same work per message as for a real event.
    `took`, if given, receives each publish's own milliseconds, publish to acknowledgement."""
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=BENCH_STREAM, subjects=["bench.raw.>"], storage=StorageType.FILE,
                                     duplicate_window=DUPLICATE_WINDOW_SECONDS))
    payload = b'{"data":"' + b"x" * (EVENT_BYTES - 11) + b'"}'

    async def one(i: int) -> None:
        headers = {"Nats-Msg-Id": uuid4().hex, "Aixin-Event-Type": "ChildRegistered",
                   "Nats-Expected-Last-Subject-Sequence": "0"}
        started = time.perf_counter()
        await js.publish(f"{RAW_SUBJECT}{i:032x}", payload, headers=headers, stream=BENCH_STREAM, timeout=30)
        if took is not None:
            took.append((time.perf_counter() - started) * 1000)

    try:
        return await timed(count, in_flight, one)
    finally:
        await js.delete_stream(BENCH_STREAM)  # each figure starts from an empty stream


async def timed(count: int, in_flight: int, one) -> float:
    gate = asyncio.Semaphore(in_flight)

    async def gated(i: int) -> None:
        async with gate:
            await one(i)

    started = time.perf_counter()
    await asyncio.gather(*(gated(i) for i in range(count)))
    return time.perf_counter() - started
