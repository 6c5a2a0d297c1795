"""examples/province_subscriber.py against a running platform: it reads Guangdong's feed with nothing
but the bundle, keeps its cursor, starts from an origin_seq when told, and a refusal ends it at once
with the server's words and exit code 2."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.feed_platform import feed_holds, load_bundle, platform_with_system, register_children

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).parents[2] / "examples" / "province_subscriber.py"


async def subscriber(bundle: Path, *args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(subprocess.run, [sys.executable, str(EXAMPLE), str(bundle), *args],
                                   capture_output=True, text=True, timeout=60)


async def test_the_example_subscriber_reads_its_feed_and_keeps_a_cursor(tmp_path: Path) -> None:
    async with platform_with_system(tmp_path, "guangdong", "44") as (platform, bundle_path):
        await register_children(platform, ["510623100003", "440105001101", "440106001001"])
        await feed_holds(load_bundle(bundle_path), 2)

        done = await subscriber(bundle_path, "--max", "2")
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert [line.split()[:2] for line in lines] == [["child_on_file", "440105001101"],
                                                        ["child_on_file", "440106001001"]]
        assert all(line.split()[3].startswith("c-") for line in lines) and "童" not in done.stdout
        last = int(lines[-1].rsplit("origin_seq ", 1)[1].rstrip(")"))
        assert json.loads(bundle_path.with_suffix(".cursor").read_text()) == {"origin_seq": last, "part": 0}

        replay = tmp_path / "replay.json"  # another consumer of the same feed, from the second message
        replay.write_text(json.dumps({**load_bundle(bundle_path), "consumer": "guangdong-replay"}))
        again = await subscriber(replay, "--from-origin-seq", str(last), "--max", "1")
        assert again.returncode == 0 and again.stdout.splitlines() == lines[1:], again.stderr

        wrong = tmp_path / "wrong.json"  # a stream the account may not touch
        wrong.write_text(json.dumps({**load_bundle(bundle_path), "stream": "AIXIN_EVENTS"}))
        refused = await subscriber(wrong, "--max", "1")
        assert refused.returncode == 2, refused.stderr
        assert "refused by the server" in refused.stderr and "permissions violation for publish" in refused.stderr.lower()
        assert "timeout" not in refused.stderr.lower()
