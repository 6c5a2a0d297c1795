"""Lock-out: after 5 failed sign-ins within 60 s, a username is refused for 60 s. Pure: the caller
passes the time, so tests need no sleeping.

Counted per username, known or not, so that the answer says nothing about which usernames exist.
Held in memory, per API process: `aixin up --api-processes N` lets a username be tried up to 5N
times a minute (one process by default: 5), and a restart forgetting the count costs an attacker a
restart's worth of guesses at most.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(seconds=60)
LOCKED_FOR = timedelta(seconds=60)
MAX_TRACKED = 10_000  # usernames remembered at once; the oldest is forgotten first


class Lockout:
    def __init__(self, max_failures: int = MAX_FAILURES, window: timedelta = WINDOW,
                 locked_for: timedelta = LOCKED_FOR) -> None:
        self.max_failures, self.window, self.locked_for = max_failures, window, locked_for
        self._failures: OrderedDict[str, list[datetime]] = OrderedDict()
        self._locked_until: dict[str, datetime] = {}

    def wait(self, username: str, now: datetime) -> int:
        """Seconds until `username` may try again (0: now)."""
        until = self._locked_until.get(username)
        if until is None:
            return 0
        if now >= until:
            del self._locked_until[username]
            return 0
        return max(1, int((until - now).total_seconds() + 0.999))

    def failed(self, username: str, now: datetime) -> None:
        recent = [t for t in self._failures.pop(username, []) if now - t < self.window] + [now]
        if len(recent) >= self.max_failures:
            self._locked_until[username] = now + self.locked_for
            recent = []
        else:
            self._failures[username] = recent
        while len(self._failures) > MAX_TRACKED:
            self._failures.popitem(last=False)
        if len(self._locked_until) > MAX_TRACKED:
            self._locked_until = {u: t for u, t in self._locked_until.items() if t > now}

    def succeeded(self, username: str) -> None:
        self._failures.pop(username, None)
