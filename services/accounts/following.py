"""An API process following the account events, so that its `AccountCache` forgets an account the
moment any process changes it (services.accounts.cache says why this keeps no stale account)."""

from __future__ import annotations

import asyncio
import logging
import sys

from contracts.subjects import ACCOUNT_EVENTS, ACCOUNTS_ROOT
from services.accounts.cache import AccountCache
from services.shared.eventlog import EventLog, MalformedEvent, RawMessage

log = logging.getLogger("aixin")
RETRY_SECONDS = 1.0
NEVER_KEPT = sys.maxsize  # the version of an event that cannot be read: its account is read afresh


async def follow_account_events(event_log: EventLog, cache: AccountCache) -> None:
    """Until cancelled: the account events the log holds, then every new one. The cache is used once
    the first are read; if following fails it is not used until following has started again."""
    while True:
        try:
            last = 0
            async for batch in event_log.present(ACCOUNT_EVENTS):
                last = _note(batch, cache)
            cache.start()
            # One by one as each arrives, never gathered into batches: the sooner it is seen here,
            # the sooner a disabled account stops (read raises on a malformed event: the next round
            # reads it raw, as present does, and goes on after it).
            async for stored in event_log.read(last + 1, ACCOUNT_EVENTS):
                cache.changed(_username(stored.subject), stored.envelope.aggregate_version)
        except asyncio.CancelledError:
            cache.stop()
            raise
        except Exception as error:  # the connection gone for good, say: read the store meanwhile
            cache.stop()
            log.warning("following the account events failed (%r); tokens are checked against the store "
                        "until it starts again", error)
            await asyncio.sleep(RETRY_SECONDS)


def _note(batch: list[RawMessage], cache: AccountCache) -> int:
    for message in batch:
        cache.changed(_username(message.subject), _version(message))
    return batch[-1].seq


def _username(subject: str) -> str:
    return subject.removeprefix(f"{ACCOUNTS_ROOT}.")


def _version(message: RawMessage) -> int:
    try:
        return message.decode().envelope.aggregate_version
    except MalformedEvent:
        return NEVER_KEPT
