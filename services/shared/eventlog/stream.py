"""The stream that is the event store: its configuration, created or verified at start-up, and the
limits and error codes of the server that the log's readers and writers work within."""

from __future__ import annotations

from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from contracts.subjects import ACCOUNT_EVENTS, ALL_EVENTS, STREAM

DUPLICATE_WINDOW_SECONDS = 600.0
WRONG_LAST_SEQUENCE = 10071
BATCH_DUPLICATE_MSG_ID = 10201
BATCH_TOO_MANY_INFLIGHT = 10210
# The server refuses (429) an atomic batch beyond 50 open ones per stream: one process stays below
# that, and a batch refused because other processes filled the stream is retried.
MAX_OPEN_BATCHES = 32
BATCH_START_ATTEMPTS = 6
# What the server sends a reader of the log ahead of what it has acknowledged as received
# (`services.shared.eventlog.follow`): a reader slower than the log holds at most this many, about
# 11 MB of events. (An ordered consumer's flow control did not bound it: the live projector 200,000
# events behind a bulk append of a million held 226,537 messages, over 200 MB, in its queue; and
# with a client limit instead, once with no check, a rebuild of 1,000,001 events applied 818,391
# and swapped that in.) The client's queue may hold twice as many before it drops any.
READ_AHEAD_MESSAGES = 10_000
DIRECT_BATCH = 500
# The server stores at most 1000 messages in one atomic batch.
MAX_BATCH_EVENTS = 1000
# Aggregates asked about in one multi-last direct get, and the subjects its answer may hold: an
# aggregate has one subject per region it has been in, so a full answer means some moved often.
EXISTENCE_CHUNK = 250
EXISTENCE_ANSWER = 1000
SUBJECT_CACHE_SIZE = 200_000
READ_AHEAD_BYTES = 16 * 1024 * 1024



def stream_config(replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=STREAM,
        subjects=[ALL_EVENTS, ACCOUNT_EVENTS],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
        allow_atomic=True,
    )


async def ensure_stream(js, replicas: int = 1) -> None:
    """Create the stream, or check an existing one and turn on what it lacks."""
    wanted = stream_config(replicas)
    try:
        info = await js.stream_info(STREAM)
    except NotFoundError:
        await js.add_stream(wanted)
        return
    have = info.config
    subjects = set(have.subjects or [])
    # A stream of an older version lacks the account subjects: it is extended, not refused. A stream
    # on other subjects is someone else's, and is left alone.
    if have.storage != StorageType.FILE or ALL_EVENTS not in subjects or not subjects <= set(wanted.subjects):
        raise RuntimeError(
            f"stream {STREAM} exists with storage {have.storage} and subjects {have.subjects}; "
            f"aixin needs file storage on {wanted.subjects}"
        )
    # A stream made at R1 gets its replicas when the platform comes to a cluster (the server copies
    # it to the new peers): its setting, not the stream's age, says how many copies the log has.
    if subjects != set(wanted.subjects) or have.num_replicas != replicas or not (
            have.deny_delete and have.deny_purge and have.allow_direct and have.allow_atomic):
        await js.update_stream(wanted)
