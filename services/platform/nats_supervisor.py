"""The embedded nats-server watched as `aixin up` watches its children: if it dies (killed, out of
memory), it is started again on the same port and store, and the services' connections, which
reconnect for ever, carry on. JetStream recovers the store on start; with `sync_interval: always`
every acknowledged append is in it.

While it is down, the HTTP API answers commands at once with 503 ("the event log is unavailable,
retry") instead of waiting out a timeout, and /health says what is down (`services.api.health`).
"""

from __future__ import annotations

import asyncio
import logging
import time

import nats.errors

from services.platform.embedded_nats import EmbeddedNats

log = logging.getLogger("aixin")
DROPS_SAID_EVERY = 60.0  # seconds between notes of messages dropped for slow readers
WATCH_INTERVAL = 0.1
RESTART_BACKOFF = (0.0, 0.5, 1.0, 2.0, 5.0)  # seconds before each further attempt in a row


class NatsSupervisor:
    def __init__(self, server: EmbeddedNats, stopping: asyncio.Event) -> None:
        self.server, self.stopping = server, stopping
        self.restarts = 0
        self.down_since: float | None = None

    async def run(self) -> None:
        while not self.stopping.is_set():
            process = self.server.process
            if process is not None and process.poll() is None:
                await asyncio.sleep(WATCH_INTERVAL)
                continue
            await self._start_again(process.returncode if process else None)

    async def _start_again(self, code: int | None) -> None:
        self.down_since = time.monotonic()
        log.error("the embedded nats-server stopped (exit code %s); starting it again on the same port "
                  "and store", code)
        for attempt in range(1_000_000):
            await asyncio.sleep(RESTART_BACKOFF[min(attempt, len(RESTART_BACKOFF) - 1)])
            if self.stopping.is_set():
                return
            try:
                await asyncio.to_thread(self.server.restart)
            except Exception as error:  # the port not free yet, the store still locked...
                log.error("nats-server did not start again: %s", error)
                continue
            self.restarts += 1
            log.warning("the embedded nats-server is back after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None
            return


class ConnectionNotes:
    """What the platform's NATS connections say: one line per event, not nats-py's tracebacks;
    nothing while the platform itself is closing them."""

    def __init__(self, stopping: asyncio.Event) -> None:
        self.stopping = stopping
        self._dropped = 0  # messages dropped for slow readers since the last note of it
        self._dropped_said = float("-inf")

    async def error(self, error: Exception) -> None:
        if self.stopping.is_set():
            return
        if isinstance(error, nats.errors.SlowConsumerError):
            # One per message dropped for a reader slower than the log, which then follows again
            # from where it was (services.shared.eventlog.follow): counted, not logged each.
            self._dropped += 1
            now = asyncio.get_running_loop().time()
            if now - self._dropped_said < DROPS_SAID_EVERY:
                return
            log.info("NATS: %d messages dropped for readers slower than the log since the last note; "
                     "they read them again", self._dropped)
            self._dropped, self._dropped_said = 0, now
            return
        log.warning("NATS: %r", error)

    async def quiet_error(self, error: Exception) -> None:
        """For a connection whose refusal is expected for a moment (a feeder before a reload)."""
        if "authorization violation" not in str(error).lower():
            await self.error(error)

    async def disconnected(self) -> None:
        if not self.stopping.is_set():
            log.warning("NATS: disconnected; reconnecting")

    async def reconnected(self) -> None:
        log.warning("NATS: reconnected")
