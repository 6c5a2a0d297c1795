"""NATS authorization against a real nats-server configured as the embedded one is: no anonymous
connection; each service user limited to its own subjects (outside systems, in accounts of their
own, are tests/log/test_feed_walls.py's)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nats
import pytest
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig
from nats.js.errors import APIError

from contracts.subjects import STREAM
from services.platform.embedded_nats import EmbeddedNats
from services.platform.nats_credentials import NatsCredentials
from services.shared.eventlog import EventLog

GUANGDONG = "aixin.evt.44.4401.440105.440105001.440105001101.child.c-gd"
BEIJING = "aixin.evt.11.1101.110101.110101001.110101001001.child.c-bj"
REFUSED = (NatsTimeout, APIError, NatsError, asyncio.TimeoutError)


class Client:
    """A connection that keeps the permission violations the server reports."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    async def connect(self, url: str, **options) -> nats.NATS:
        async def error(e: Exception) -> None:
            self.violations.append(str(e))
        self.nc = await nats.connect(url, error_cb=error, allow_reconnect=False, **options)
        return self.nc

    async def refused(self, what: str) -> bool:
        for _ in range(50):
            if any(what.lower() in v.lower() and "permissions" in v.lower() for v in self.violations):
                return True
            await asyncio.sleep(0.02)
        return False


@pytest.fixture
async def server(tmp_path: Path):
    credentials = NatsCredentials.load_or_create(tmp_path)
    credentials.add_system("guangdong", "44")
    credentials.add_system("beijing", "11")
    server = EmbeddedNats(tmp_path / "nats", authorization=credentials.server_config()).start()
    admin = await nats.connect(server.url, **credentials.connect_options("admin"))
    await EventLog(admin).ensure_stream()
    js = admin.jetstream()
    await js.publish(GUANGDONG, b'{"n": 1}', stream=STREAM)
    await js.publish(BEIJING, b'{"n": 2}', stream=STREAM)
    yield server, credentials
    await admin.close()
    server.stop()


async def test_an_anonymous_connection_is_refused(server) -> None:
    embedded, _ = server
    with pytest.raises(Exception, match="(?i)authorization"):
        await nats.connect(embedded.url, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)


async def test_files_are_private(server, tmp_path: Path) -> None:
    _, credentials = server
    assert (tmp_path / "nats-credentials.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "systems" / "guangdong.nk").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "nats" / "nats-server.conf").stat().st_mode & 0o777 == 0o600
    config = (tmp_path / "nats" / "nats-server.conf").read_text()
    assert not any(seed in config for seed in (*credentials.users.values(), credentials.systems["beijing"]["seed"]))


@pytest.mark.parametrize("user, action", [
    ("intake", "subscribe aixin.cmd.>"),
    ("intake", "join aixin-pairing"),
    ("intake", "publish a pair event"),
    ("api", "subscribe aixin.cmd.intake.>"),
    ("projections", "publish a child event"),
    ("projections", "request a replay"),
    ("reminders", "publish a child event"),
    ("activity", "publish a child event"),  # the care tier is activity's own aggregate, not the child's file
    ("pairing", "publish a child event"),  # a child's pairs are pairing's own aggregate
    ("reporting", "publish a child event"),  # an office's months only
    ("reporting", "subscribe aixin.cmd.intake.>"),
    ("api", "delete the stream"),
    ("intake", "purge the stream"),
    ("activity", "update the stream"),
    ("pairing", "delete a message"),
    # only the services the API asks may answer into its inbox (they learn a reply's token from the request)
    ("reminders", "publish into the API's inbox"),
    ("feed", "publish into the API's inbox"),
    ("projections", "publish into the API's inbox"),
])
async def test_a_service_user_is_held_to_its_own_subjects(server, user: str, action: str) -> None:
    embedded, credentials = server
    client = Client()
    nc = await client.connect(embedded.url, **credentials.connect_options(user))
    js = nc.jetstream(timeout=1)
    pair = "aixin.evt.44.4401.440105.440105001.440105001101.pair.p1"
    if action.startswith("subscribe "):
        subject = action.removeprefix("subscribe ")
        await nc.subscribe(subject, queue=f"aixin-{subject.split('.')[2]}" if subject.count(".") > 2 else "")
        assert await client.refused(subject)
    elif action == "join aixin-pairing":
        await nc.subscribe("aixin.cmd.pairing.form_pair", queue="aixin-pairing")
        assert await client.refused("aixin.cmd.pairing.form_pair")
    elif action.startswith("publish a "):
        subject = pair if "pair" in action else GUANGDONG
        await nc.publish(subject, b"{}")
        assert await client.refused(subject)
    elif action == "publish into the API's inbox":
        await nc.publish("_INBOX_api.forged.1", b"{}")
        assert await client.refused("_INBOX_api.forged.1")
    elif action == "request a replay":
        await nc.publish("aixin.admin.projections.replay", b"{}")
        assert await client.refused("aixin.admin.projections.replay")
    elif action == "delete the stream":
        with pytest.raises(REFUSED):
            await js.delete_stream(STREAM)
    elif action == "purge the stream":
        with pytest.raises(REFUSED):
            await js.purge_stream(STREAM)
    elif action == "update the stream":
        info = await nats.connect(embedded.url, **credentials.connect_options("admin"))
        config = (await info.jetstream().stream_info(STREAM)).config
        await info.close()
        config.deny_delete = False
        with pytest.raises(REFUSED):
            await js.update_stream(config)
    elif action == "delete a message":
        with pytest.raises(REFUSED):
            await js.delete_msg(STREAM, 1)
    assert await client.refused(""), f"{user} {action}: no permissions violation reported"


async def test_the_services_may_do_their_work(server) -> None:
    embedded, credentials = server
    intake = Client()
    nc = await intake.connect(embedded.url, **credentials.connect_options("intake"))
    await nc.jetstream().publish(GUANGDONG, b'{"n": 3}', stream=STREAM)
    sub = await nc.subscribe("aixin.cmd.intake.register_child", queue="aixin-intake")
    api = Client()
    api_nc = await api.connect(embedded.url, **credentials.connect_options("api"))
    request = asyncio.ensure_future(api_nc.request("aixin.cmd.intake.register_child", b"{}", timeout=5))
    message = await sub.next_msg(timeout=5)
    await message.respond(b"ok")
    assert (await request).data == b"ok"
    follower = Client()
    f_nc = await follower.connect(embedded.url, **credentials.connect_options("projections"))
    ordered = await f_nc.jetstream().subscribe("aixin.evt.>", stream=STREAM, ordered_consumer=True)
    assert (await ordered.next_msg(timeout=5)).subject == GUANGDONG
    assert intake.violations == api.violations == follower.violations == []


async def test_an_answer_owed_when_the_server_reloads_its_users_still_reaches_the_asker(server) -> None:
    """`aixin systems add` reloads the running server; a command received before and answered after
    the reload is answered, not refused (the caller would wait out its timeout for an applied command)."""
    embedded, credentials = server
    intake = Client()
    nc = await intake.connect(embedded.url, **credentials.connect_options("intake"))
    sub = await nc.subscribe("aixin.cmd.intake.register_child", queue="aixin-intake")
    api = Client()
    api_nc = await api.connect(embedded.url, **credentials.connect_options("api"))
    request = asyncio.ensure_future(api_nc.request("aixin.cmd.intake.register_child", b"{}", timeout=10))
    message = await sub.next_msg(timeout=5)
    credentials.add_system("shanghai", "31")
    assert embedded.reload_running(credentials.server_config())
    for _ in range(100):  # the reload is done once the new system's feeder may connect
        try:
            await (await nats.connect(embedded.url, allow_reconnect=False, max_reconnect_attempts=0,
                                      **credentials.feeder_options("shanghai"))).close()
            break
        except Exception:
            await asyncio.sleep(0.05)
    else:
        raise AssertionError("the server did not take the new system's users within 5 s")
    await message.respond(b"ok")
    assert (await request).data == b"ok"
    assert intake.violations == api.violations == []


async def test_a_log_of_the_global_account_moves_into_the_platforms(tmp_path: Path) -> None:
    """Before accounts, the log lived in the server's global account: the first start with accounts
    moves it over, consumers and all, so nothing written before is lost."""
    before = EmbeddedNats(tmp_path / "nats").start()
    nc = await nats.connect(before.url)
    await EventLog(nc).ensure_stream()
    await nc.jetstream().publish(GUANGDONG, b'{"n": 1}', stream=STREAM)
    await nc.close()
    before.stop()
    credentials = NatsCredentials.load_or_create(tmp_path)
    after = EmbeddedNats(tmp_path / "nats", authorization=credentials.server_config()).start()
    try:
        admin = await nats.connect(after.url, **credentials.connect_options("admin"))
        assert (await admin.jetstream().stream_info(STREAM)).state.messages == 1
        await admin.close()
    finally:
        after.stop()


async def test_the_read_models_may_record_an_operators_skip_of_a_parked_event(server) -> None:
    from contracts.commands import Command
    from contracts.envelope import Actor, FederationLevel
    from contracts.operations import ParkedEventSkipped
    from services.shared.unit_of_work import Deps, UnitOfWork

    embedded, credentials = server
    follower = Client()
    event_log = EventLog(await follower.connect(embedded.url, **credentials.connect_options("projections")))
    skipped = ParkedEventSkipped(parked_event_id="fussy-1", projection="fussy", seq=1, subject=GUANGDONG,
                                 event_type="ChildRegistered", region="440105001101", error="boom", reason="a test")
    actor = Actor(operator_id="admin", level=FederationLevel.national, region="CN", role="admin")
    uow = UnitOfWork(Deps(log=event_log, keys=None), Command(command_id="skip-fussy-1", actor=actor))
    await uow.load("parked_event", "fussy-1")
    assert (await uow.decide_and_commit(lambda: [skipped]))["seq"] == 3
    assert follower.violations == []
