"""`aixin replay` against a platform in this process: a child registered while the read models are
rebuilt shows in the live figures within 2 s, and the rebuilt tables are swapped in, equal."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from contracts.intake.imports import RegisterChildren
from contracts.intake.registration import ChildCategory, RegisterChild, Sex
from contracts.regions import communities, parse_region
from services.platform.embedded_nats import free_port
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.projections.figures.queries import figures_as_of
from services.shared.follower import rebuild
from tests.conftest import NATIONAL
from tests.e2e.test_child_services import send

pytestmark = pytest.mark.e2e
CHILDREN = 1000


def child(n: int) -> RegisterChild:
    return RegisterChild(actor=NATIONAL, region=communities("440105")[0].code, name=f"童{n}", sex=Sex.female,
                         birth_date="2016-05-05", category=ChildCategory.left_behind)


class SlowLog:
    """The log as a rebuild reads it, slow to hand over its first batch: the rebuild is certainly
    under way when the child comes (and holds no turn to write meanwhile)."""

    def __init__(self, log) -> None:
        self.log, self.slowed = log, False

    async def batches(self, *args, **kwargs):
        async for batch in self.log.batches(*args, **kwargs):
            if not self.slowed:
                self.slowed = True
                await asyncio.sleep(3)
            yield batch


class SlowRebuild(rebuild.Rebuild):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.log = SlowLog(self.log)


async def children_registered(platform: Platform) -> int:
    async with platform.db.connect() as conn:
        return (await figures_as_of(conn, parse_region("CN"), date.max))["children_registered"]


async def test_a_child_registered_during_a_replay_shows_within_two_seconds(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(rebuild, "Rebuild", SlowRebuild)
    data_dir = tmp_path / "data"
    platform = Platform(Settings(data_dir=data_dir, http_port=free_port()), services=("intake", "projections"))
    await platform.start()
    try:
        for first in range(0, CHILDREN, 500):
            rows = [child(n) for n in range(first, first + 500)]
            assert (await send(platform, "register_children", RegisterChildren(actor=NATIONAL, rows=rows))).ok
        await platform.projector.wait_for(await platform.projector.log.last_sequence())
        replay = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.cli", "replay", "--json", env={**os.environ, "AIXIN_DATA_DIR": str(data_dir)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        rebuilds = platform.projector.rebuilds
        for _ in range(600):  # the command line starts, and asks for the rebuild
            if rebuilds.current is not None and rebuilds.current.state == "running":
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"no rebuild under way: {rebuilds.status()}")
        assert (await send(platform, "register_child", child(CHILDREN))).ok
        acknowledged = time.monotonic()
        while await children_registered(platform) < CHILDREN + 1:
            assert time.monotonic() - acknowledged < 2, "the live figures stalled during the replay"
            await asyncio.sleep(0.02)
        assert rebuilds.current.state == "running"
        out, err = await asyncio.wait_for(replay.communicate(), 120)
        assert replay.returncode == 0, (out, err)
        result = json.loads(out)
        assert result["rebuild"]["state"] == "done" and all(r["equal"] for r in result["reports"])
        assert await children_registered(platform) == CHILDREN + 1
    finally:
        await platform.stop()
