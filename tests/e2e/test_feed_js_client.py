"""A system reads its feed from another stack: the official NATS JavaScript client (tests/js/
read_feed.mjs) with nothing but the bundle reads Guangdong's integration events and never Sichuan's,
no name nor birth date among them, and what its account may not do is refused as a permissions
violation, at once, not by a timeout."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from contracts.feed.envelope import FeedMessage
from tests.e2e.feed_platform import (BIRTH_DATE, child_name, feed_holds, load_bundle, platform_with_system,
                                     register_children)
from tests.nodejs import node_or_skip, run_node

pytestmark = pytest.mark.e2e
REGIONS = ["510623100003", "440105001101", "440106001001"]  # Sichuan first: it must be passed by


async def js_client(bundle: Path, *args: str) -> list[dict]:
    done = await asyncio.to_thread(run_node, "read_feed.mjs", str(bundle), *args)
    assert done.returncode == 0, f"read_feed.mjs {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


async def test_the_javascript_client_reads_only_its_subtree_and_is_refused_the_rest(tmp_path: Path) -> None:
    node_or_skip()  # before the platform starts: npm ci, or the reason to skip
    async with platform_with_system(tmp_path, "guangdong", "44") as (platform, bundle):
        await register_children(platform, REGIONS)
        await feed_holds(load_bundle(bundle), 2)

        read = await js_client(bundle, "--count", "10", "--idle-ms", "1500")
        assert [line["message"]["region"] for line in read] == REGIONS[1:]
        for line in read:
            message = FeedMessage.model_validate(line["message"])
            assert line["subject"].startswith("aixin.feed.44.") and line["subject"] == message.subject
            assert message.kind == "child_on_file" and message.event().category == "left_behind"
            assert line["headers"]["Nats-Msg-Id"] == message.id
            assert line["headers"]["Aixin-Origin-Seq"] == str(message.origin_seq)
            text = json.dumps(line, ensure_ascii=False)
            assert not any(child_name(n) in text for n in range(len(REGIONS)))
            assert BIRTH_DATE not in text and "birth_date" not in text
        assert await js_client(bundle, "--idle-ms", "1000") == []  # acked: the durable consumer moved on

        for action in ("publish", "delete"):
            [refusal] = await js_client(bundle, "--refused", action)
            assert refusal["refused"], refusal
            assert refusal["cause"]["error"] == "PermissionViolationError", refusal
            assert "Permissions Violation for Publish" in refusal["message"]
            assert "timeout" not in json.dumps(refusal).lower()
