"""The feed as outside systems get it, from a second process with only their bundles: `aixin up
--feed-listen` in a subprocess, a national and a Guangdong system added, the demo sent through the
HTTP API (every command recorded here), then every message of both feeds read over TLS and scanned
for each name, ID number, birth date, guardian, phone and free text the demo typed, and for the
sensitive subtypes and concern kinds: none is there. Guangdong's feed holds Guangdong only."""

from __future__ import annotations

import asyncio
import json
import ssl
from datetime import date
from pathlib import Path

import nats
import pytest
from rich.progress import Progress

from contracts.activity.concerns import ConcernKind
from contracts.feed.subjects import FEED_STREAM
from contracts.intake.registration import ChildSubtype
from services.cli.client import HttpCommands, connect
from services.platform.embedded_nats import free_port
from tooling.common import IN_FLIGHT
from tooling.demo.accounts import DemoSender, ensure_accounts
from tooling.demo.federation import Demo
from tests.e2e.test_end_to_end import Up, aixin

pytestmark = pytest.mark.e2e
CHILDREN = 150
PERSONAL_KEYS = {"name", "id_number", "phone", "address", "school", "note", "notes", "item", "given_by",
                 "birth_date", "donor", "reason_text", "description"}
SENSITIVE = {s.value for s in ChildSubtype if s is not ChildSubtype.other} | {
    k.value for k in ConcernKind if k is not ConcernKind.other}


class Recording:
    """The demo's sender, keeping every command it sends."""

    def __init__(self, sender: DemoSender) -> None:
        self.sender, self.commands = sender, []

    async def send(self, context: str, name: str, command):
        self.commands.append(command)
        return await self.sender.send(context, name, command)


def personal_values(value, key: str = "") -> set[str]:
    """Every personal value a command carries: its name, ID number, birth date, guardian's name and
    phone, free text... as the strings they would appear as in JSON."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found |= personal_values(v, k if k != "guardian" else "name")
    elif isinstance(value, (list, tuple)):
        for v in value:
            found |= personal_values(v, key)
    elif key in PERSONAL_KEYS and value is not None and len(str(value)) >= 2:
        found.add(value.isoformat() if isinstance(value, date) else str(value))
    return found


async def run_demo(data_dir: Path) -> list:
    connection = connect(data_dir)
    async with HttpCommands(connection, in_flight=IN_FLIGHT) as commands:
        _, accounts = await ensure_accounts(commands)
        recording = Recording(DemoSender(commands, accounts))
        await Demo(recording, CHILDREN, 7, Progress(disable=True)).run()
    return recording.commands


async def read_feed(bundle: dict) -> list:
    """Every message of a system's feed, with nothing but its bundle."""
    tls = ssl.create_default_context(cadata=bundle["ca_pem"])
    nc = await nats.connect(bundle["url"], nkeys_seed_str=bundle["nkey_seed"], tls=tls, allow_reconnect=False)
    js = nc.jetstream()
    consumer = await js.pull_subscribe(bundle["subjects"], durable=bundle["consumer"], stream=bundle["stream"])
    total = (await js.stream_info(FEED_STREAM)).state.messages
    messages = []
    while len(messages) < total:
        batch = await consumer.fetch(min(500, total - len(messages)), timeout=10)
        for message in batch:
            await message.ack()
        messages.extend(batch)
    await nc.close()
    return messages


def test_no_personal_data_reaches_any_feed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    port = free_port()
    up = Up(data_dir)
    up.extra = ["--feed-listen", f"127.0.0.1:{port}", "--feed-advertise", "localhost"]
    up.start()
    try:
        for name, office in (("national", "CN"), ("guangdong", "44")):
            aixin(data_dir, "systems", "add", name, "--office", office)
        commands = asyncio.run(run_demo(data_dir))
        aixin(data_dir, "replay")  # the read models, and with them the log, have every command
        bundles = {name: json.loads((data_dir / "systems" / f"{name}.json").read_text())
                   for name in ("national", "guangdong")}
        assert bundles["national"]["url"] == f"tls://localhost:{port}"
        expected = asyncio.run(_wait_for_feed(bundles["national"]))
        national = asyncio.run(read_feed(bundles["national"]))
        guangdong = asyncio.run(read_feed(bundles["guangdong"]))
    finally:
        up.stop()
    personal = set().union(*(personal_values(c.model_dump(mode="json")) for c in commands))
    assert len(personal) > CHILDREN  # the scan has something to look for
    assert len(national) == expected and len(guangdong) > 0
    for message in national + guangdong:
        text = message.data.decode() + json.dumps(dict(message.headers or {}))
        leaked = [value for value in personal | SENSITIVE if value in text]
        assert not leaked, f"{message.subject} carries {leaked}: {text}"
    assert all(m.subject.startswith("aixin.feed.44.") for m in guangdong)
    assert {json.loads(m.data)["kind"] for m in national} >= {"child_on_file", "volunteer_on_file",
                                                               "pair_formed", "activity_held", "wish_fulfilled"}
    print_one_childs_year(national)


async def _wait_for_feed(bundle: dict) -> int:
    """The feed is written a moment after the log: wait until it stops growing."""
    tls = ssl.create_default_context(cadata=bundle["ca_pem"])
    nc = await nats.connect(bundle["url"], nkeys_seed_str=bundle["nkey_seed"], tls=tls, allow_reconnect=False)
    last, steady = -1, 0
    while steady < 6:
        count = (await nc.jetstream().stream_info(FEED_STREAM)).state.messages
        steady = steady + 1 if count == last else 0
        last = count
        await asyncio.sleep(0.5)
    await nc.close()
    return last


def print_one_childs_year(messages: list) -> None:
    """What a system sees of one child (run with -s): the child with the most messages, with the
    activities of her pairs."""
    bodies = [json.loads(message.data) for message in messages]
    by_child: dict[str, list[dict]] = {}
    for body in bodies:
        for child in filter(None, [body["data"].get("child_id"), *body["data"].get("child_ids", [])]):
            by_child.setdefault(child, []).append(body)
    child, seen = max(by_child.items(), key=lambda item: len(item[1]))
    pairs = {body["data"]["pair_id"] for body in seen if body["kind"] == "pair_formed"}
    seen += [body for body in bodies if body["data"].get("organiser_id") in pairs]
    print(f"\none child's year in the feed ({child}):")
    for body in sorted(seen, key=lambda b: b["origin_seq"]):
        print(json.dumps(body, ensure_ascii=False))
