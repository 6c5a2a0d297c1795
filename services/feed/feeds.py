"""Every outside system's feed, as the installation's NATS credentials list them: a feed started for
each system added (by `aixin systems add`, while the platform runs), stopped for each removed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from services.feed.system_feed import SystemFeed
from services.shared.eventlog import EventLog

log = logging.getLogger("aixin.feed")
WATCH_SECONDS = 1.0


class Feeds:
    def __init__(self, systems: Callable[[], dict[str, dict[str, str]]], log_reader: EventLog,
                 connect_feeder: Callable[[str], Awaitable[object]]) -> None:
        self._systems = systems  # name -> {office, pseudonym_key, ...}, read again at every look
        self._log = log_reader
        self._connect_feeder = connect_feeder
        self.running: dict[str, tuple[SystemFeed, asyncio.Task]] = {}

    async def run(self) -> None:
        try:
            while True:
                try:
                    self._match(self._systems())
                except Exception:  # a credentials file being written: looked at again shortly
                    log.exception("cannot read the systems' list; looking again")
                await asyncio.sleep(WATCH_SECONDS)
        finally:
            for _, task in self.running.values():
                task.cancel()
            await asyncio.gather(*(task for _, task in self.running.values()), return_exceptions=True)

    def _match(self, systems: dict[str, dict[str, str]]) -> None:
        for name in [n for n in self.running if n not in systems or self._changed(n, systems[n])]:
            feed, task = self.running.pop(name)
            task.cancel()
            log.info("feed of %s stopped", name)
        for name, system in systems.items():
            if name not in self.running:
                feed = SystemFeed(name, system["office"], bytes.fromhex(system["pseudonym_key"]), self._log,
                                  lambda name=name: self._connect_feeder(name))
                self.running[name] = (feed, asyncio.create_task(feed.run(), name=f"feed {name}"))
                log.info("feed of %s (office %s) started", name, system["office"])

    def _changed(self, name: str, system: dict[str, str]) -> bool:
        feed, _ = self.running[name]
        return feed.office != system["office"] or feed.pseudonym_key != bytes.fromhex(system["pseudonym_key"])
