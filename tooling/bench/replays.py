"""What `aixin bench` reads from the log itself: the raw ordered read that a rebuild is measured
against, the read models' replays asked of the platform, how many events they replay, and when
the read models have caught up with the log."""

from __future__ import annotations

import asyncio
import time

from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.subjects import ACCOUNT_EVENTS, ALL_EVENTS, STREAM
from services.cli.client import AdminClient
from services.platform.runtime import Platform
from services.projections.admin import POSITION, REPLAY

CAUGHT_UP_POLL_SECONDS = 0.05


async def replay(admin: AdminClient, names: list[str]) -> list[dict]:
    replayed = await admin.request(REPLAY, {"projections": names}, timeout=3600)
    if not replayed.get("ok"):
        raise RuntimeError(f"replay failed: {replayed.get('error')}")
    return replayed["reports"]


async def ordered_read_rate(nc) -> float:
    """Events per second of an ordered consumer reading the platform's stream from its first event
    to its last, undecoded: what a rebuild reading the log could do at most. Received by a
    callback, as the log's readers receive (`next_msg` costs a task and a timeout per message, which
    would make the baseline slower than the readers it is the measure of)."""
    js = nc.jetstream()
    last = (await js.stream_info(STREAM)).state.last_seq
    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    done, count = asyncio.get_running_loop().create_future(), 0

    async def received(msg) -> None:
        nonlocal count
        count += 1
        if (msg.metadata.sequence.stream >= last or not msg.metadata.num_pending) and not done.done():
            done.set_result(time.perf_counter())

    started = time.perf_counter()
    sub = await js.subscribe(ALL_EVENTS, stream=STREAM, ordered_consumer=True, config=config, cb=received,
                             pending_msgs_limit=100_000, pending_bytes_limit=256 * 1024 * 1024)
    try:
        finished = await asyncio.wait_for(done, timeout=600)
    finally:
        await sub.unsubscribe()
    return count / (finished - started)


async def region_events(platform: Platform) -> int:
    """Events in the log that read models replay: all but the accounts' (aixin.acct.>)."""
    accounts = await platform.nc.jetstream().stream_info(STREAM, subjects_filter=ACCOUNT_EVENTS)
    return await platform.event_log.last_sequence() - sum((accounts.state.subjects or {}).values())


async def caught_up(nc, admin: AdminClient, timeout: float = 600) -> bool:
    """Wait until the read models have applied the log's last region event (the accounts' events,
    appended by sign-ins among others, are not theirs to apply); False if `timeout` passed first.
    `nc`: a connection that may read the stream's messages (the admin's)."""
    try:
        last = (await nc.jetstream().get_last_msg(STREAM, ALL_EVENTS)).seq
    except NotFoundError:
        return True  # no region event yet
    deadline = time.perf_counter() + timeout
    while (await admin.request(POSITION, {}, timeout=10))["applied"] < last:
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(CAUGHT_UP_POLL_SECONDS)
    return True
