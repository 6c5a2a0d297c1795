"""One platform per data dir, and a data dir only its user can read."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from services.platform.data_dir import DataDirInUse
from services.platform.embedded_nats import free_port
from services.platform.runtime import Platform
from services.platform.settings import Settings


def platform_on(data_dir: Path) -> Platform:
    return Platform(Settings(data_dir=data_dir, http_port=free_port()), services=("projections", "api"))


async def test_a_second_platform_on_a_data_dir_in_use_refuses_and_leaves_the_first_serving(tmp_path: Path) -> None:
    first = platform_on(tmp_path)
    info = await first.start()
    try:
        second = platform_on(tmp_path)
        with pytest.raises(DataDirInUse) as refused:
            await second.start()
        await second.stop()
        assert f"pid {info.pid}" in str(refused.value) and info.nats_url in str(refused.value)
        assert info.http_url in str(refused.value)
        # `aixin up` says the same in one line and exits non-zero, without touching the first.
        up = subprocess.run([sys.executable, "-m", "services.cli", "up", "--data-dir", str(tmp_path),
                             "--http", f"127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=60)
        assert up.returncode != 0
        said = " ".join(up.stdout.split())  # the console wraps long lines
        assert said.startswith("error: data dir") and "is in use by a running aixin" in said
        assert f"pid {info.pid}" in said and "Traceback" not in up.stdout + up.stderr
        assert first.nc.is_connected and await first.event_log.last_sequence() >= 1
        assert first.embedded.process.poll() is None  # its nats-server was not stopped
    finally:
        await first.stop()
    again = platform_on(tmp_path)  # free once the first has stopped
    await again.start()
    await again.stop()


async def test_the_data_dir_is_private_to_its_user(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    (data_dir / "keys.db").touch(mode=0o644)  # as an earlier version left it
    platform = platform_on(data_dir)
    await platform.start()
    try:
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        files = [p for p in data_dir.rglob("*") if p.is_file()]
        assert {"keys.db", "read-models.db", "credential.json", "token.key", "aixin.json"} <= {p.name for p in files}
        readable = {str(p.relative_to(data_dir)): oct(stat.S_IMODE(p.stat().st_mode)) for p in files
                    if stat.S_IMODE(p.stat().st_mode) & 0o077}
        assert readable == {}
    finally:
        await platform.stop()
