"""A provincial system added with `aixin systems add` while the platform runs: the embedded
nats-server takes it at once, it receives its subtree's events and no other, and the platform's
services keep working; an anonymous client is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest
from typer.testing import CliRunner

from contracts.intake import ChildCategory, RegisterChild, Sex
from contracts.subjects import STREAM, command_subject
from services.cli.app import app
from services.platform.embedded_nats import free_port
from services.platform.nats_credentials import NatsCredentials
from services.platform.nats_permissions import API
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.shared.endpoints import decode_reply
from tests.conftest import NATIONAL

pytestmark = pytest.mark.e2e


def child(region: str, n: int) -> RegisterChild:
    return RegisterChild(actor=NATIONAL, region=region, name=f"童{n}", sex=Sex.female,
                         birth_date="2016-05-05", category=ChildCategory.left_behind)


async def test_a_system_added_while_running_reads_its_subtree_only(tmp_path: Path) -> None:
    platform = Platform(Settings(data_dir=tmp_path, http_port=free_port()), services=("intake", "api"))
    await platform.start()
    try:
        with pytest.raises(Exception, match="(?i)authorization"):
            await nats.connect(platform.nats_url, allow_reconnect=False, max_reconnect_attempts=0)
        added = CliRunner().invoke(app, ["systems", "add", "guangdong", "--office", "44",
                                         "--data-dir", str(tmp_path)])
        assert added.exit_code == 0, added.output
        assert "reloaded" in added.output
        seed = (tmp_path / "systems" / "guangdong.nk").read_text().strip()
        assert seed == NatsCredentials.load(tmp_path).systems["guangdong"]["seed"]
        system = None
        for _ in range(50):  # the reload is asynchronous
            try:
                system = await nats.connect(platform.nats_url, nkeys_seed_str=seed, inbox_prefix="_INBOX_guangdong",
                                            allow_reconnect=False, max_reconnect_attempts=0)
                break
            except Exception:
                await asyncio.sleep(0.1)
        assert system is not None
        consumer = await system.jetstream().pull_subscribe("aixin.evt.44.>", durable="guangdong", stream=STREAM)
        api = await platform.connect(API)
        for n, region in enumerate(("510623100003", "440105001101")):
            message = await api.request(command_subject("intake", "register_child"),
                                        child(region, n).model_dump_json().encode(), timeout=30)
            assert decode_reply(message.data).ok  # the services' own connections survived the reload
        [event] = await consumer.fetch(1, timeout=10)
        assert event.subject.startswith("aixin.evt.44.4401.440105.")
        with pytest.raises(nats.errors.TimeoutError):
            await consumer.fetch(1, timeout=1)  # Sichuan's child never reaches Guangdong
        await system.close()
    finally:
        await platform.stop()
