"""The feed on a province's leaf node: a mirror of the hub's feed stream across the leaf link
(`services.platform.leaf_config`), created by the leaf's own user on the leaf.

A mirror follows the stream it was made on. When the hub's feed is deleted and written again (a
rebuild), a mirror that already holds more than the new stream may stall instead of starting over,
so after a rebuild it is deleted and made anew (`recreate=True`), and the province's systems read
it again from the start.
"""

from __future__ import annotations

from nats.js.api import DiscardPolicy, ExternalStream, StorageType, StreamConfig, StreamSource
from nats.js.errors import NotFoundError

from contracts.feed.subjects import FEED_STREAM
from services.shared.eventlog.feed_stream import RETENTION


def mirror_stream_config(hub_domain: str) -> StreamConfig:
    """The feed on the leaf: a mirror of the hub's AIXIN_FEED (reached by the hub's domain API),
    kept as long as the hub keeps it."""
    return StreamConfig(
        name=FEED_STREAM, mirror=StreamSource(name=FEED_STREAM, external=ExternalStream(
            api=f"$JS.{hub_domain}.API", deliver="")),
        storage=StorageType.FILE, num_replicas=1, max_age=RETENTION.total_seconds(), discard=DiscardPolicy.OLD,
        deny_delete=True, deny_purge=True, allow_direct=True)


async def ensure_feed_mirror(js, hub_domain: str, recreate: bool = False) -> None:
    """The mirror on the leaf, made if missing; with `recreate`, deleted and made again."""
    wanted = mirror_stream_config(hub_domain)
    try:
        info = await js.stream_info(FEED_STREAM)
    except NotFoundError:
        await js.add_stream(wanted)
        return
    if info.config.mirror is None:
        raise RuntimeError(f"{FEED_STREAM} on this server is no mirror: is this the hub rather than a leaf?")
    if recreate:
        await js.delete_stream(FEED_STREAM)
        await js.add_stream(wanted)
