"""The accounts behind tokens, kept in an API process's memory, so that checking a request's token
reads no database — and still "a disabled account stops at once", whichever process disabled it.

Every change to an account is an event on `aixin.acct.<username>` appended before the credential
store's row is written (services.accounts.service). Each API process follows those subjects
(`follow_account_events`) and, for each event, notes the account's version (its event count) as
seen and drops what it kept. A row read from the store carries the version of the events it was
written from, and is kept only if it is at least the version seen: an event that arrives while
its row is not yet written cannot have the old row kept again, since that row is older than what
was seen; the next request reads the store again, until the row is written.

The rule holds only while every event reaches this process: the cache is used only once the
account events the log held at start have been read, never while the NATS connection is down,
and it is emptied when the connection comes back (events missed meanwhile are delivered again
by the follower, whose consumer resumes where it was).
"""

from __future__ import annotations

from collections.abc import Callable

from services.accounts.domain import Account

MAX_ENTRIES = 50_000  # accounts kept at once; beyond, the cache starts over


def current(entry_version: int, seen_version: int) -> bool:
    """Whether an account read at `entry_version` may be used when events up to `seen_version`
    have been seen: never if an event it does not reflect exists."""
    return entry_version >= seen_version


def _always_connected() -> int:
    return 0


class AccountCache:
    def __init__(self, connection_epoch: Callable[[], int | None] = _always_connected,
                 max_entries: int = MAX_ENTRIES) -> None:
        # connection_epoch: how many times the connection that brings the events was re-made;
        # None while it is down.
        self._epoch_now, self._max = connection_epoch, max_entries
        self._entries: dict[str, tuple[Account, int]] = {}
        self._seen: dict[str, int] = {}
        self._epoch: int | None = None
        self.live = False

    def get(self, username: str) -> Account | None:
        if not self._usable():
            return None
        entry = self._entries.get(username)
        if entry is None or not current(entry[1], self._seen.get(username, 0)):
            return None
        return entry[0]

    def offer(self, account: Account, version: int) -> None:
        """Keep an account read from the store at `version`, if nothing newer has been seen."""
        if not self._usable() or not current(version, self._seen.get(account.username, 0)):
            return
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[account.username] = (account, version)

    def changed(self, username: str, version: int) -> None:
        """An event made `username`'s account `version` (or this process wrote that version)."""
        if version > self._seen.get(username, 0):
            self._seen[username] = version
        self._entries.pop(username, None)

    def start(self) -> None:
        """Every event the log held when following began has been seen."""
        self._entries.clear()
        self.live = True

    def stop(self) -> None:
        """Events may be missed from now on: keep nothing until following starts again."""
        self.live = False
        self._entries.clear()

    def _usable(self) -> bool:
        if not self.live:
            return False
        epoch = self._epoch_now()
        if epoch != self._epoch:  # down, or back after being down: what was kept may be stale
            self._entries.clear()
            self._epoch = epoch
        return epoch is not None
