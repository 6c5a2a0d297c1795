"""Walls, not filters: each outside system in a NATS account of its own, against a real nats-server
configured as the embedded one is. Guangdong's system reads its feed; every attack that worked when
systems shared the platform's account — a consumer delivering onto `aixin.admin.>`, `aixin.cmd.>`
or another user's inbox, a pull whose reply subject points there, a wider filter, an ordered
consumer, a direct or message get by sequence, stream management, a publish — is refused, or
happens inside the system's own account where nothing of the platform listens. Meanwhile the
platform's account is watched on every subject: nothing arrives."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy, StreamConfig

from contracts.feed.subjects import FEED_STREAM
from contracts.intake.registration import ChildCategory, RegisterChild, Sex
from contracts.subjects import STREAM
from services.feed.system_feed import SystemFeed
from services.intake.handlers import register_child
from services.platform.embedded_nats import EmbeddedNats
from services.platform.nats_credentials import NatsCredentials
from services.shared.eventlog import EventLog
from services.shared.unit_of_work import Deps
from tests.conftest import NATIONAL
from tests.log.test_nats_permissions import REFUSED, Client

GUANGDONG_VILLAGE, BEIJING_VILLAGE = "440105001101", "110101001001"
PLATFORM_TARGETS = ("aixin.admin.projections.rebuild", "aixin.cmd.intake.erase_child_data", "_INBOX_api.x1")


@pytest.fixture
async def walled(tmp_path: Path, keys):
    credentials = NatsCredentials.load_or_create(tmp_path)
    credentials.add_system("guangdong", "44")
    credentials.add_system("beijing", "11")
    server = EmbeddedNats(tmp_path / "nats", authorization=credentials.server_config()).start()
    admin = await nats.connect(server.url, **credentials.connect_options("admin"))
    await EventLog(admin).ensure_stream()
    intake = EventLog(await nats.connect(server.url, **credentials.connect_options("intake")))
    for n, region in enumerate((GUANGDONG_VILLAGE, BEIJING_VILLAGE, GUANGDONG_VILLAGE)):
        await register_child(Deps(log=intake, keys=keys), RegisterChild(
            actor=NATIONAL, region=region, name=f"童{n}", sex=Sex.female, birth_date="2016-05-05",
            category=ChildCategory.left_behind))
    reader = EventLog(await nats.connect(server.url, **credentials.connect_options("feed")))
    feeds = []
    for name in ("guangdong", "beijing"):
        system = credentials.systems[name]
        feed = SystemFeed(name, system["office"], bytes.fromhex(system["pseudonym_key"]), reader,
                          lambda name=name: nats.connect(server.url, **credentials.feeder_options(name)))
        feeds.append((feed, asyncio.create_task(feed.run())))
    for _ in range(200):
        if feeds[0][0].written == 2 and feeds[1][0].written == 1:
            break
        await asyncio.sleep(0.05)
    # The platform's account, watched on every subject the attacks aim at.
    # (Not the JetStream API, nor the replies the feed's own reader and this watcher get.)
    seen: list[str] = []

    async def watch(message) -> None:
        if not message.subject.startswith(("$JS.", "_INBOX_feed.", "_INBOX_admin.")):
            seen.append(message.subject)
    await admin.subscribe(">", cb=watch)
    await admin.flush()
    yield server, credentials, seen
    for _, task in feeds:
        task.cancel()
    await asyncio.gather(*(task for _, task in feeds), return_exceptions=True)
    await admin.close()
    server.stop()


async def system(server, credentials, name="guangdong") -> tuple[Client, nats.NATS]:
    client = Client()
    nc = await client.connect(server.url, nkeys_seed_str=credentials.systems[name]["seed"])
    return client, nc


async def test_a_system_reads_its_feed_and_nothing_else(walled) -> None:
    server, credentials, seen = walled
    client, nc = await system(server, credentials)
    js = nc.jetstream()
    consumer = await js.pull_subscribe("aixin.feed.44.>", durable="guangdong", stream=FEED_STREAM)
    messages = await consumer.fetch(2, timeout=5)
    assert [m.subject.split(".")[2] for m in messages] == ["44", "44"]
    assert all(json.loads(m.data)["kind"] == "child_on_file" for m in messages)
    for message in messages:
        await message.ack()
    assert client.violations == [] and seen == []


async def test_two_systems_see_different_pseudonyms_of_one_child(walled, keys) -> None:
    server, credentials, _ = walled
    ids = {}
    for name in ("guangdong", "beijing"):
        _, nc = await system(server, credentials, name)
        message = await nc.jetstream().get_msg(FEED_STREAM, seq=1)
        ids[name] = json.loads(message.data)["data"]["child_id"]
        await nc.close()
    assert ids["guangdong"] != ids["beijing"] and all(i.startswith("c-") for i in ids.values())


@pytest.mark.parametrize("target", PLATFORM_TARGETS)
async def test_a_push_consumer_delivers_into_its_own_account_only(walled, target: str) -> None:
    server, credentials, seen = walled
    _, nc = await system(server, credentials)
    js = nc.jetstream(timeout=2)
    try:
        await js.add_consumer(FEED_STREAM, ConsumerConfig(deliver_subject=target, deliver_policy=DeliverPolicy.ALL))
    except REFUSED:
        pass  # refused outright is as good
    await asyncio.sleep(0.5)
    assert seen == [], f"the platform's account received {seen}"


@pytest.mark.parametrize("target", [*PLATFORM_TARGETS, "aixin.feed.44.4401.440105.440105001.440105001101.x"])
async def test_a_pull_reply_subject_reaches_nothing_of_the_platform_nor_the_feed(walled, target: str) -> None:
    server, credentials, seen = walled
    _, nc = await system(server, credentials)
    js = nc.jetstream(timeout=2)
    await js.add_consumer(FEED_STREAM, ConsumerConfig(durable_name="thief", ack_policy="none"))
    before = (await js.stream_info(FEED_STREAM)).state.messages
    await nc.publish(f"$JS.API.CONSUMER.MSG.NEXT.{FEED_STREAM}.thief", b'{"batch": 10}', reply=target)
    await asyncio.sleep(0.5)
    assert seen == []
    assert (await js.stream_info(FEED_STREAM)).state.messages == before  # nothing put back into the feed


@pytest.mark.parametrize("attempt", ["wider filter", "ordered consumer", "direct get", "message get",
                                     "platform stream"])
async def test_every_way_of_reading_gives_its_own_subtree_only(walled, attempt: str) -> None:
    server, credentials, seen = walled
    _, nc = await system(server, credentials)
    js = nc.jetstream(timeout=2)
    subjects: list[str] = []
    if attempt == "wider filter":
        sub = await js.pull_subscribe(">", durable="wide", stream=FEED_STREAM)
        subjects = [m.subject for m in await sub.fetch(10, timeout=2)]
    elif attempt == "ordered consumer":
        sub = await js.subscribe(">", stream=FEED_STREAM, ordered_consumer=True)
        subjects = [(await sub.next_msg(timeout=2)).subject for _ in range(2)]
    elif attempt == "direct get":
        for seq in range(1, 6):
            reply = await nc.request(f"$JS.API.DIRECT.GET.{FEED_STREAM}", json.dumps({"seq": seq}).encode(), timeout=2)
            if reply.headers and reply.headers.get("Nats-Subject"):
                subjects.append(reply.headers["Nats-Subject"])
    elif attempt == "message get":
        for seq in range(1, 6):
            try:
                subjects.append((await js.get_msg(FEED_STREAM, seq=seq)).subject)
            except Exception:
                pass
    elif attempt == "platform stream":  # the log does not exist in the system's account
        with pytest.raises(REFUSED):
            await js.get_msg(STREAM, seq=1)
    assert all(s.startswith("aixin.feed.44.") for s in subjects) and len(subjects) in (0, 2)
    assert seen == []


@pytest.mark.parametrize("attempt", ["publish into the feed", "publish a domain event", "create a stream",
                                     "delete the feed", "purge the feed", "update the feed", "delete a message",
                                     "read the feeder's replies", "command"])
async def test_what_would_change_anything_is_refused(walled, attempt: str) -> None:
    server, credentials, seen = walled
    client, nc = await system(server, credentials)
    js = nc.jetstream(timeout=1)
    before = (await js.stream_info(FEED_STREAM)).state.messages
    if attempt == "publish into the feed":
        await nc.publish("aixin.feed.44.4401.440105.440105001.440105001101.child_on_file", b"{}")
    elif attempt == "publish a domain event":
        await nc.publish("aixin.evt.44.4401.440105.440105001.440105001101.child.c1", b"{}")
    elif attempt == "command":
        await nc.publish("aixin.cmd.intake.erase_child_data", b"{}")
    elif attempt == "create a stream":
        with pytest.raises(REFUSED):
            await js.add_stream(StreamConfig(name="MINE", subjects=["mine.>"]))
    elif attempt == "delete the feed":
        with pytest.raises(REFUSED):
            await js.delete_stream(FEED_STREAM)
    elif attempt == "purge the feed":
        with pytest.raises(REFUSED):
            await js.purge_stream(FEED_STREAM)
    elif attempt == "update the feed":
        config = (await js.stream_info(FEED_STREAM)).config
        config.subjects = [">"]
        with pytest.raises(REFUSED):
            await js.update_stream(config)
    elif attempt == "delete a message":
        with pytest.raises(REFUSED):
            await js.delete_msg(FEED_STREAM, 1)
    elif attempt == "read the feeder's replies":
        await nc.subscribe("_INBOX_feeder.>")
    assert await client.refused(""), f"{attempt}: no permissions violation reported"
    assert (await js.stream_info(FEED_STREAM)).state.messages == before and seen == []
