"""What the demo and the bench share: how many commands they keep in flight, and the wait until the
platform's read models have applied everything in its log."""

from __future__ import annotations

import asyncio

from services.cli.client import AdminClient
from services.projections.admin import POSITION

IN_FLIGHT = 64


async def wait_for_read_models(client: AdminClient, timeout: float = 300) -> dict:
    """The read models' position once they have applied the log's last event (or when `timeout`
    seconds have passed: the caller prints where they stand)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        position = await client.request(POSITION, {}, timeout=10)
        if position["applied"] >= position["stream_last_seq"] or asyncio.get_running_loop().time() > deadline:
            return position
        await asyncio.sleep(0.2)
