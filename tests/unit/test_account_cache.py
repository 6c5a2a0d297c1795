"""The account cache's rule, pure: a row read from the store is kept and used only if no event newer
than it has been seen, whatever order the event and the read arrive in."""

from __future__ import annotations

from dataclasses import replace

from contracts.accounts import Role
from contracts.regions import parse_region
from services.accounts.cache import AccountCache, current
from services.accounts.domain import Account

WORKER = Account("gd-worker", parse_region("440105"), frozenset({Role.caseworker}))
DISABLED = replace(WORKER, disabled=True, token_version=1)


def live(epoch=lambda: 0) -> AccountCache:
    cache = AccountCache(epoch)
    cache.start()
    return cache


def test_a_row_is_current_unless_a_later_event_was_seen() -> None:
    assert current(2, 1) and current(2, 2)
    assert not current(1, 2)


def test_a_kept_account_is_used_until_its_next_event() -> None:
    cache = live()
    cache.offer(WORKER, 1)
    assert cache.get("gd-worker") == WORKER
    cache.changed("gd-worker", 2)  # disabled, by this process or another
    assert cache.get("gd-worker") is None


def test_a_row_read_before_its_write_is_not_kept_after_the_event() -> None:
    """The event is appended before the store is written: a read between the two sees the old row."""
    cache = live()
    cache.changed("gd-worker", 2)  # the disabling event arrives
    cache.offer(WORKER, 1)  # the store still holds version 1
    assert cache.get("gd-worker") is None
    cache.offer(DISABLED, 2)  # the store written
    assert cache.get("gd-worker") == DISABLED


def test_an_old_event_arriving_late_does_not_lower_what_was_seen() -> None:
    cache = live()
    cache.changed("gd-worker", 3)
    cache.changed("gd-worker", 2)
    cache.offer(DISABLED, 2)
    assert cache.get("gd-worker") is None


def test_nothing_is_kept_before_following_starts_nor_after_it_stops() -> None:
    cache = AccountCache()
    cache.offer(WORKER, 1)
    assert cache.get("gd-worker") is None
    cache.start()
    cache.offer(WORKER, 1)
    cache.stop()
    assert cache.get("gd-worker") is None


def test_nothing_is_used_while_the_connection_is_down_and_all_is_forgotten_when_it_is_back() -> None:
    state = {"epoch": 0}
    cache = live(lambda: state["epoch"])
    cache.offer(WORKER, 1)
    state["epoch"] = None  # events may be missed now
    assert cache.get("gd-worker") is None
    cache.offer(WORKER, 1)
    state["epoch"] = 1  # reconnected
    assert cache.get("gd-worker") is None


def test_a_full_cache_starts_over_rather_than_grow() -> None:
    cache = AccountCache(max_entries=2)
    cache.start()
    for n in range(3):
        cache.offer(replace(WORKER, username=f"w{n}"), 1)
    assert cache.get("w2") is not None and cache.get("w0") is None
