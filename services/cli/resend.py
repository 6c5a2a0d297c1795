"""Sending a command again after a 503 or a lost answer: the same command (the same command id, so
the platform applies it once), after pauses that grow to about a minute in all — enough for an
embedded nats-server to be started again or a busy service to catch up — said once every few
seconds on standard error."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator

import httpx

RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
SAY_EVERY = 5.0


class Resend:
    def __init__(self) -> None:
        self._said = float("-inf")

    def delays(self) -> Iterator[float]:
        return iter(RETRY_DELAYS)

    async def after(self, command, why: str, delay: float) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._said > SAY_EVERY:
            self._said = now
            print(f"aixin: {why}; sending again with the same command id ({command.command_id}), "
                  f"which applies it once, in {delay:g} s", file=sys.stderr)
        await asyncio.sleep(delay)


def message_of(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message") or response.status_code)
    except ValueError:
        return f"HTTP {response.status_code}"
