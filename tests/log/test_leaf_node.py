"""A province's leaf node, with real nats-server processes: the hub (accounts as the embedded server
has them, JetStream domain `aixin`, a leaf node listener) and Guangdong's leaf (configured by
`leaf_config`, domain `guangdong`), linked through a TCP proxy that can cut the link and restore
it while both servers run. The leaf's mirror of the feed catches up; Guangdong's system, with its
bundle's seed, reads it from the leaf, and goes on reading while the link is cut; 2,000 children
registered meanwhile reach the leaf after the link is back (nats-server #7530: what the hub got
while the leaf was away), same sequences, same message ids, no gap, no duplicate."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from contracts.feed.subjects import FEED_STREAM
from contracts.intake.imports import RegisterChildren
from contracts.intake.registration import ChildCategory, RegisterChild, Sex
from services.feed.system_feed import SystemFeed
from services.intake.bulk import register_children
from services.platform.embedded_nats import EmbeddedNats, die_with_parent, free_port, server_binary
from services.platform.feed_bundle import bundle_of
from services.platform.leaf_config import leaf_node, render_leaf_config
from services.platform.nats_credentials import NatsCredentials
from services.platform.nats_permissions import HUB_DOMAIN, LEAF, inbox_prefix
from services.shared.eventlog import EventLog
from services.shared.eventlog.feed_mirror import ensure_feed_mirror
from services.shared.eventlog.feed_stream import delete_feed_stream
from services.shared.unit_of_work import Deps
from tests.log.test_feed_catch_up import drain
from tests.conftest import NATIONAL
from tests.log.test_nats_permissions import REFUSED, Client

VILLAGE = "440105001101"
AWAY = 2_000
CATCH_UP_TIMEOUT = 120.0


class LinkProxy:
    """A TCP proxy in front of the hub's leaf node port: `cut` closes it and every connection
    through it, `restore` listens again on the same port."""

    def __init__(self, target_port: int) -> None:
        self.port, self.target_port = free_port(), target_port
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def restore(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def cut(self) -> None:
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()
        await self.server.wait_closed()

    async def _link(self, reader, writer) -> None:
        try:
            hub_reader, hub_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.writers += [writer, hub_writer]
        await asyncio.gather(_pipe(reader, hub_writer), _pipe(hub_reader, writer), return_exceptions=True)


async def _pipe(reader, writer) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


def start_leaf(config: str, directory: Path, port: int) -> subprocess.Popen:
    directory.mkdir(parents=True)
    (directory / "leaf.conf").write_text(config)
    log = open(directory / "leaf.log", "ab")
    process = subprocess.Popen([str(server_binary()), "-c", str(directory / "leaf.conf")], stdout=log, stderr=log,
                               preexec_fn=die_with_parent if sys.platform == "linux" else None)
    EmbeddedNats(directory, port=port, process=process)._wait_until_listening()
    return process


@pytest.fixture
async def province(tmp_path: Path, keys):
    credentials = NatsCredentials.load_or_create(tmp_path)
    credentials.add_system("guangdong", "44")
    credentials.leaf_seed("guangdong")
    hub_leaf_port = free_port()
    hub = EmbeddedNats(tmp_path / "hub", authorization=credentials.server_config(), jetstream_domain=HUB_DOMAIN,
                       leafnode_listen=f"127.0.0.1:{hub_leaf_port}").start()
    connections = [await nats.connect(hub.url, **credentials.connect_options(user))
                   for user in ("admin", "intake", "feed")]
    await EventLog(connections[0]).ensure_stream()
    intake = Deps(log=EventLog(connections[1]), keys=keys)
    system = credentials.systems["guangdong"]
    feed = SystemFeed("guangdong", "44", bytes.fromhex(system["pseudonym_key"]), EventLog(connections[2]),
                      lambda: nats.connect(hub.url, **credentials.feeder_options("guangdong")))
    feeding = asyncio.create_task(feed.run())
    proxy = LinkProxy(hub_leaf_port)
    await proxy.restore()
    leaf_port = free_port()
    leaf = leaf_node(credentials, "guangdong", f"nats-leaf://127.0.0.1:{proxy.port}",
                     store_dir=str(tmp_path / "leaf" / "jetstream"), listen=f"127.0.0.1:{leaf_port}")
    process = start_leaf(render_leaf_config(leaf), tmp_path / "leaf", leaf_port)
    keeper = await nats.connect(f"nats://127.0.0.1:{leaf_port}", nkeys_seed_str=leaf.leaf_seed,
                                inbox_prefix=inbox_prefix(LEAF))
    await ensure_feed_mirror(keeper.jetstream(), HUB_DOMAIN)
    seed = bundle_of(credentials, "guangdong", None)["nkey_seed"]
    reader = await nats.connect(f"nats://127.0.0.1:{leaf_port}", nkeys_seed_str=seed)
    on_hub = await nats.connect(hub.url, nkeys_seed_str=seed)
    yield intake, feed, proxy, keeper, reader, on_hub, credentials, hub
    feeding.cancel()
    await asyncio.gather(feeding, return_exceptions=True)
    for nc in (*connections, keeper, reader, on_hub):
        await nc.close()
    await proxy.cut()
    process.terminate()
    process.wait(10)
    hub.stop()


async def register(deps: Deps, first: int, count: int) -> None:
    for start in range(first, first + count, 500):
        rows = [RegisterChild(actor=NATIONAL, region=VILLAGE, name=f"童{n}", sex=Sex.female,
                              birth_date=date(2010, 1, 1) + timedelta(days=n % 3000),
                              category=ChildCategory.left_behind)
                for n in range(start, min(start + 500, first + count))]
        await register_children(deps, RegisterChildren(actor=NATIONAL, rows=rows))


async def until(condition, timeout: float = CATCH_UP_TIMEOUT, what: str = "") -> float:
    """Seconds until `condition()` (a coroutine function) is true."""
    started = time.monotonic()
    while not await condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def last_seq(nc) -> int:
    try:
        return (await nc.jetstream().stream_info(FEED_STREAM)).state.last_seq
    except NotFoundError:
        return 0


async def ids_by_seq(nc) -> list[tuple[int, str]]:
    """(stream sequence, Nats-Msg-Id) of every message of the feed, read with an ordered consumer."""
    js = nc.jetstream()
    state = (await js.stream_info(FEED_STREAM)).state
    subscription = await js.subscribe(">", stream=FEED_STREAM, ordered_consumer=True)
    seen = []
    for _ in range(state.messages):
        message = await subscription.next_msg(timeout=10)
        seen.append((message.metadata.sequence.stream, message.headers["Nats-Msg-Id"]))
    await subscription.unsubscribe()
    return seen


async def test_the_leaf_keeps_serving_while_cut_off_and_catches_up_without_gap_or_duplicate(province) -> None:
    intake, feed, proxy, _, reader, on_hub, _, _ = province
    await register(intake, 0, 3)
    await until(lambda: _equal(on_hub, reader, 3), what="the first three messages on the leaf")
    consumer = await reader.jetstream().pull_subscribe("aixin.feed.44.>", durable="guangdong", stream=FEED_STREAM)
    before = await drain(consumer, 3)
    assert [m.metadata.sequence.stream for m in before] == [1, 2, 3]

    await proxy.cut()
    await register(intake, 3, AWAY)
    await until(lambda: _at(on_hub, 3 + AWAY), what="the hub's feed written while the link is cut")
    # Cut off, the province's systems keep reading what the leaf holds.
    again = await reader.jetstream().subscribe(">", stream=FEED_STREAM, ordered_consumer=True)
    assert [(await again.next_msg(timeout=5)).metadata.sequence.stream for _ in range(3)] == [1, 2, 3]
    assert await last_seq(reader) == 3
    with pytest.raises(nats.errors.TimeoutError):  # nothing new, and nothing it had read again
        await consumer.fetch(1, timeout=1)

    await proxy.restore()
    took = await until(lambda: _equal(on_hub, reader, 3 + AWAY), what="the leaf catching up")
    print(f"\nthe leaf caught up with {AWAY} messages written while it was cut off in {took:.2f}s "
          f"after the link was restored")
    assert await ids_by_seq(reader) == await ids_by_seq(on_hub)
    after = await drain(consumer, AWAY)
    assert [m.metadata.sequence.stream for m in after] == list(range(4, 4 + AWAY))
    with pytest.raises(nats.errors.TimeoutError):
        await consumer.fetch(1, timeout=1)


async def test_after_the_hubs_feed_is_rebuilt_the_mirror_is_made_anew(province) -> None:
    intake, _, _, keeper, reader, on_hub, credentials, hub = province
    await register(intake, 0, 5)
    await until(lambda: _equal(on_hub, reader, 5), what="the first five messages on the leaf")
    feeder = await nats.connect(hub.url, **credentials.feeder_options("guangdong"))
    await delete_feed_stream(feeder.jetstream())  # the feed writes it again from the log at once
    await feeder.close()
    await until(lambda: _at(on_hub, 5), what="the hub's feed rebuilt")
    await register(intake, 5, 2)
    await until(lambda: _at(on_hub, 7), what="two more on the rebuilt feed")
    await ensure_feed_mirror(keeper.jetstream(), HUB_DOMAIN, recreate=True)
    await until(lambda: _equal(on_hub, reader, 7), what="the recreated mirror caught up")
    assert await ids_by_seq(reader) == await ids_by_seq(on_hub)


@pytest.mark.parametrize("api", ["$JS.API", f"$JS.{HUB_DOMAIN}.API"])
async def test_the_leafs_key_may_not_write_change_or_delete_the_hubs_feed(province, api: str) -> None:
    intake, _, _, _, _, on_hub, credentials, hub = province
    await register(intake, 0, 2)
    await until(lambda: _at(on_hub, 2), what="two messages on the hub")
    client = Client()
    nc = await client.connect(hub.url, nkeys_seed_str=credentials.systems["guangdong"]["leaf_seed"])
    for subject in (f"{api}.STREAM.DELETE.{FEED_STREAM}", f"{api}.STREAM.PURGE.{FEED_STREAM}",
                    f"{api}.STREAM.MSG.DELETE.{FEED_STREAM}", f"{api}.CONSUMER.DELETE.{FEED_STREAM}.guangdong",
                    f"{api}.STREAM.UPDATE.{FEED_STREAM}"):
        with pytest.raises(REFUSED):
            await nc.request(subject, b"{}", timeout=1)
    await nc.publish(f"aixin.feed.44.4401.440105.440105001.{VILLAGE}.child_on_file", b"{}")
    await nc.flush()
    await asyncio.sleep(0.3)
    assert await client.refused("")
    assert (await on_hub.jetstream().stream_info(FEED_STREAM)).state.messages == 2


async def _at(nc, seq: int) -> bool:
    return await last_seq(nc) >= seq


async def _equal(hub, leaf, seq: int) -> bool:
    return await last_seq(hub) >= seq and await last_seq(leaf) == await last_seq(hub)
