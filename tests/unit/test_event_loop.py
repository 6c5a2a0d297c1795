"""Every aixin process runs on uvloop where it is installed (`services.platform.event_loop`), and
the same code on asyncio's own loop where it is not."""

import asyncio
import sys

import pytest

from services.platform import event_loop


async def _which() -> str:
    await asyncio.sleep(0)
    return event_loop.loop_name()


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not a dependency on Windows")
def test_a_process_runs_on_uvloop():
    assert event_loop.run(_which()).startswith("uvloop ")
    loop = event_loop.new_event_loop()
    try:
        assert loop.run_until_complete(_which()).startswith("uvloop ")
    finally:
        loop.close()


def test_without_uvloop_the_loop_is_asyncios(monkeypatch):
    monkeypatch.setattr(event_loop, "uvloop", None)
    assert event_loop.run(_which()) == "asyncio"
