"""A platform with a feed listener and one outside system, for the tests of clients that read the feed
with nothing but the system's bundle (tests/e2e/test_systems.py sets it up the same way)."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import nats
from typer.testing import CliRunner

from contracts.feed.subjects import FEED_STREAM
from contracts.intake.registration import ChildCategory, RegisterChild, Sex
from contracts.subjects import command_subject
from services.cli.app import app
from services.platform.embedded_nats import free_port
from services.platform.nats_permissions import API
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.shared.endpoints import decode_reply
from tests.conftest import NATIONAL

BIRTH_DATE = "2016-05-05"


def child_name(n: int) -> str:
    return f"童{n}"


async def register_children(platform: Platform, regions: list[str]) -> None:
    api = await platform.connect(API)
    try:
        for n, region in enumerate(regions):
            command = RegisterChild(actor=NATIONAL, region=region, name=child_name(n), sex=Sex.female,
                                    birth_date=BIRTH_DATE, category=ChildCategory.left_behind)
            reply = await api.request(command_subject("intake", "register_child"), command.model_dump_json().encode(),
                                      timeout=30)
            assert decode_reply(reply.data).ok
    finally:
        await api.close()


async def feed_holds(bundle: dict, count: int, timeout: float = 20) -> None:
    """Wait until the system's feed stream holds `count` messages (the feeder writes asynchronously)."""
    tls = ssl.create_default_context(cadata=bundle["ca_pem"]) if bundle["ca_pem"] else None
    held = None
    for _ in range(int(timeout * 10)):
        try:
            system = await nats.connect(bundle["url"], nkeys_seed_str=bundle["nkey_seed"], tls=tls,
                                        allow_reconnect=False, max_reconnect_attempts=0)
        except Exception:
            await asyncio.sleep(0.1)
            continue
        try:
            held = (await system.jetstream().stream_info(FEED_STREAM)).state.messages
            if held >= count:
                return
        except Exception:
            pass
        finally:
            await system.close()
        await asyncio.sleep(0.1)
    raise AssertionError(f"the feed holds {held} messages, not {count}, after {timeout} s")


@asynccontextmanager
async def platform_with_system(data_dir: Path, name: str, office: str) -> AsyncIterator[tuple[Platform, Path]]:
    """The platform (intake, feeds, api) listening for systems with TLS, and `name`'s bundle."""
    settings = Settings(data_dir=data_dir, http_port=free_port(), feed_listen=f"127.0.0.1:{free_port()}",
                        feed_advertise="localhost")
    platform = Platform(settings, services=("intake", "feeds", "api"))
    await platform.start()
    try:
        added = CliRunner().invoke(app, ["systems", "add", name, "--office", office, "--data-dir", str(data_dir)])
        assert added.exit_code == 0, added.output
        yield platform, data_dir / "systems" / f"{name}.json"
    finally:
        await platform.stop()


def load_bundle(path: Path) -> dict:
    return json.loads(path.read_text())
