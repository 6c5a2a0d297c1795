"""`aixin up`'s child processes, for real: the import worker serves bulk registrations on its own,
the log followers run at a lower CPU priority, a child that dies is started again, and stopping the
platform stops every child."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from nats.errors import NoRespondersError

from contracts.commands import Command
from contracts.intake.imports import RegisterChildren
from contracts.intake.registration import ChildCategory, RegisterChild, Sex
from contracts.replies import Reply
from contracts.subjects import command_subject
from services.platform.children import IMPORT_WORKER, UP_CHILDREN
from services.cli.client import AdminClient
from services.projections.admin import POSITION
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.platform.embedded_nats import free_port
from services.platform.nats_permissions import API
from services.shared.endpoints import decode_reply
from tests.conftest import NATIONAL

pytestmark = pytest.mark.e2e


async def send(platform: Platform, name: str, command: Command) -> Reply:
    """A command on NATS, as the HTTP API sends it on to the services (the actor filled in), with the
    API's NATS user: the only one allowed to send commands."""
    if not hasattr(platform, "nc"):
        platform.nc = await platform.connect(API)
    message = await platform.nc.request(command_subject("intake", name), command.model_dump_json().encode(),
                                        timeout=30)
    return decode_reply(message.data)


def child(n: int) -> RegisterChild:
    return RegisterChild(actor=NATIONAL, region="440105001101", name=f"童{n}", sex=Sex.female,
                         birth_date="2016-05-05", category=ChildCategory.left_behind)


async def test_the_import_worker_alone_serves_bulk_registrations(tmp_path: Path) -> None:
    platform = Platform(Settings(data_dir=tmp_path, http_port=free_port()), services=("projections",),
                        children=(IMPORT_WORKER,))
    await platform.start()
    try:
        reply = await send(platform, "register_children", RegisterChildren(
            actor=NATIONAL, rows=[child(n) for n in range(20)]))
        assert reply.ok and reply.result["registered"] == 20
        with pytest.raises(NoRespondersError):  # single registrations are the intake service's
            await send(platform, "register_child", child(99))
        await platform.projector.wait_for(await platform.projector.log.last_sequence())
        assert platform.projector.position == 20
    finally:
        await platform.stop()
    assert all(c.process.poll() is not None for c in platform.running_children)


async def test_followers_share_the_cpu_alike_are_restarted_and_stop_with_the_platform(tmp_path: Path) -> None:
    platform = Platform(Settings(data_dir=tmp_path, http_port=free_port()), children=UP_CHILDREN)
    await platform.start()
    try:
        followers = next(c for c in platform.running_children if "projections" in c.spec.services)
        first = followers.process.pid
        # Not niced: a command's effect must show in the figures within milliseconds during an import.
        assert os.getpriority(os.PRIO_PROCESS, first) == os.getpriority(os.PRIO_PROCESS, 0)
        async with AdminClient(platform.embedded.url, platform.settings.data_dir) as client:
            assert (await send(platform, "register_child", child(1))).ok
            last = await platform.event_log.last_sequence()  # the child, after the first admin's AccountCreated
            os.kill(first, signal.SIGKILL)
            for _ in range(300):  # started again, and it answers
                await asyncio.sleep(0.1)
                if followers.process.pid != first and followers.process.poll() is None:
                    try:
                        position = await client.request(POSITION, {}, timeout=1)
                    except (TimeoutError, NoRespondersError):
                        continue
                    if position["applied"] == position["stream_last_seq"] == last:
                        break
            else:
                raise AssertionError("the log followers were not started again")
    finally:
        await platform.stop()
    assert all(c.process.poll() is not None for c in platform.running_children)


def test_ctrl_c_stops_aixin_up_and_every_process_it_started(tmp_path: Path) -> None:
    """Ctrl-C reaches the terminal's whole process group: everything stops, in order, quietly."""
    import subprocess
    import sys
    import time

    log = tmp_path / "up.log"
    with log.open("w") as out:
        up = subprocess.Popen([sys.executable, "-m", "services.cli", "up", "--data-dir", str(tmp_path / "data"),
                               "--http", f"127.0.0.1:{free_port()}"], stdout=out, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while "Press Ctrl-C" not in log.read_text() and time.monotonic() < deadline:
            assert up.poll() is None, log.read_text()
            time.sleep(0.2)
        started = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
        assert len(started) == 5, started  # aixin up, nats-server, log followers, import worker, HTTP API
        os.killpg(up.pid, signal.SIGINT)
        up.wait(30)
        for _ in range(100):
            if not subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True).stdout:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("processes left running after Ctrl-C")
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
    output = log.read_text()
    assert up.returncode == 0 and "Traceback" not in output and "WARNING" not in output, output
