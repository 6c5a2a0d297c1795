"""A provincial system added with `aixin systems add` while the platform runs: the embedded
nats-server takes its account at once, the system reads its subtree's feed (integration events, no
personal data) with nothing but its bundle, another province's events never reach it, the
platform's services keep working, and `systems remove` cuts it off at once."""

from __future__ import annotations

import asyncio
import json
import ssl
from pathlib import Path

import nats
import pytest
from typer.testing import CliRunner

from contracts.feed.envelope import FeedMessage
from contracts.intake.registration import ChildCategory, RegisterChild, Sex
from contracts.subjects import command_subject
from services.cli.app import app
from services.platform.embedded_nats import free_port
from services.platform.nats_permissions import API
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.shared.endpoints import decode_reply
from tests.conftest import NATIONAL

pytestmark = pytest.mark.e2e


def child(region: str, n: int) -> RegisterChild:
    return RegisterChild(actor=NATIONAL, region=region, name=f"童{n}", sex=Sex.female,
                         birth_date="2016-05-05", category=ChildCategory.left_behind)


async def connect_with(bundle: dict, **options) -> nats.NATS:
    """What a system does with its bundle and nothing else."""
    tls = ssl.create_default_context(cadata=bundle["ca_pem"]) if bundle["ca_pem"] else None
    return await nats.connect(bundle["url"], nkeys_seed_str=bundle["nkey_seed"], tls=tls,
                              allow_reconnect=False, max_reconnect_attempts=0, **options)


async def test_a_system_added_while_running_reads_its_feed_only(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(data_dir=tmp_path, http_port=free_port(), feed_listen=f"127.0.0.1:{port}",
                        feed_advertise="localhost")
    platform = Platform(settings, services=("intake", "feeds", "api"))
    await platform.start()
    try:
        assert platform.nats_url == f"tls://127.0.0.1:{port}"
        with pytest.raises(Exception):
            await nats.connect(platform.nats_url, allow_reconnect=False, max_reconnect_attempts=0)
        added = CliRunner().invoke(app, ["systems", "add", "guangdong", "--office", "44",
                                         "--data-dir", str(tmp_path)])
        assert added.exit_code == 0, added.output
        assert "reloaded" in added.output
        bundle_file = tmp_path / "systems" / "guangdong.json"
        assert bundle_file.stat().st_mode & 0o777 == 0o600
        bundle = json.loads(bundle_file.read_text())
        assert bundle["url"] == f"tls://localhost:{port}" and bundle["subjects"] == "aixin.feed.44.>"
        api = await platform.connect(API)
        for n, region in enumerate(("510623100003", "440105001101")):
            message = await api.request(command_subject("intake", "register_child"),
                                        child(region, n).model_dump_json().encode(), timeout=30)
            assert decode_reply(message.data).ok  # the services' own connections survived the reload
        system = None
        for _ in range(100):  # the reload, and the feed's first append, are asynchronous
            try:
                system = await connect_with(bundle)
                consumer = await system.jetstream().pull_subscribe(bundle["subjects"], durable=bundle["consumer"],
                                                                   stream=bundle["stream"])
                break
            except Exception:
                if system:
                    await system.close()
                system = None
                await asyncio.sleep(0.1)
        assert system is not None
        [event] = await consumer.fetch(1, timeout=10)
        message = FeedMessage.decode(event.data)
        assert event.subject.startswith("aixin.feed.44.4401.440105.")
        assert message.kind == "child_on_file" and "童1" not in event.data.decode()
        assert "birth_date" not in event.data.decode() and "2016-05-05" not in event.data.decode()
        with pytest.raises(nats.errors.TimeoutError):
            await consumer.fetch(1, timeout=1)  # Sichuan's child never reaches Guangdong
        closed = asyncio.Event()
        system._closed_cb = None
        removed = await asyncio.to_thread(CliRunner().invoke, app, ["systems", "remove", "guangdong",
                                                                     "--data-dir", str(tmp_path)])
        assert removed.exit_code == 0, removed.output
        for _ in range(50):
            if system.is_closed or not system.is_connected:
                closed.set()
                break
            await asyncio.sleep(0.1)
        assert closed.is_set(), "the removed system's connection is still open"
        assert not bundle_file.exists()
        # Added again under the same name: a new key, new pseudonyms, and a feed that starts afresh.
        again = CliRunner().invoke(app, ["systems", "add", "guangdong", "--office", "44", "--data-dir", str(tmp_path)])
        assert again.exit_code == 0, again.output
        bundle = json.loads(bundle_file.read_text())
        for _ in range(100):
            try:
                system = await connect_with(bundle)
                [event] = await (await system.jetstream().pull_subscribe(
                    bundle["subjects"], durable="again", stream=bundle["stream"])).fetch(1, timeout=2)
                break
            except Exception:
                await asyncio.sleep(0.1)
        renamed = FeedMessage.decode(event.data)
        assert renamed.origin_seq == message.origin_seq and renamed.data["child_id"] != message.data["child_id"]
        assert (await system.jetstream().stream_info(bundle["stream"])).state.messages == 1
        await system.close()
    finally:
        await platform.stop()
