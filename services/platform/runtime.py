"""The whole platform: embedded nats-server (unless a URL is given), the four services, and the
HTTP API. In one process (tests, `aixin serve`), or, for `aixin up`, with the log followers, an
import worker and the HTTP API in child processes (`services.platform.children`). Each service can
also run alone (`aixin serve SERVICE`)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import signal
from dataclasses import dataclass, field

import nats
from faststream.nats import NatsBroker, NatsNKey

from services.activity import app as activity
from services.activity.reminders.process import ReminderProcess
from services.accounts.following import follow_account_events
from services.platform.adjustments import AdjustmentProcess
from services.platform.children import API_PROCESS, ChildService, ChildSpec
from services.platform.http_api import api_accounts, listening_socket, serve_http
from services.platform.data_dir import DataDirLock
from services.platform.web import create_app
from services.api.warm import keep_compliance_warm
from services.intake import app as intake
from services.pairing import app as pairing
from services.projections import all_projections
from services.reporting import app as reporting
from services.projections.admin import admin_router
from services.shared.follower.projector import Projector
from services.platform.settings import RuntimeInfo, Settings, nats_servers
from services.shared.db import make_engine
from services.platform.embedded_nats import EmbeddedNats
from services.platform.nats_listener import listener_for
from services.platform.nats_supervisor import ConnectionNotes, NatsSupervisor
from services.feed.feeds import Feeds
from services.platform.nats_credentials import NatsCredentials, nats_credentials_for
from services.platform.nats_permissions import ADMIN, API, FEED, HUB_DOMAIN
from services.shared.endpoints import command_broker, command_router
from services.shared.eventlog import EventLog
from services.shared.privacy import KeyStore
from services.shared.unit_of_work import Deps

COMMAND_SERVICES = {"intake": intake, "pairing": pairing, "activity": activity, "reporting": reporting}
# "imports": only the intake service's bulk registrations, for an import worker beside "intake".
BULK_ROUTES = {name: intake.ROUTES[name] for name in ("register_children", "recruit_volunteers")}
SERVICES = (*COMMAND_SERVICES, "imports", "projections", "reminders", "feeds", "api")
STOP_STEP_SECONDS = 10.0
RECONNECT_WAIT = 0.5  # seconds between attempts: a restarted embedded server is back within about one
log = logging.getLogger("aixin")


@dataclass
class Platform:
    settings: Settings
    services: tuple[str, ...] = SERVICES
    # Run these in child processes instead (`aixin up`); the services they name leave this process.
    children: tuple[ChildSpec, ...] = ()
    write_runtime: bool = True
    embedded: EmbeddedNats | None = None
    running_children: list[ChildService] = field(default_factory=list)
    tasks: list[asyncio.Task] = field(default_factory=list)
    connections: list[nats.NATS] = field(default_factory=list)
    brokers: list[NatsBroker] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    notes: ConnectionNotes | None = None

    async def start(self) -> RuntimeInfo:
        settings = self.settings
        if self.write_runtime:  # the platform that owns the data dir (its children only share it)
            self.lock = DataDirLock(settings.data_dir)
            self.lock.acquire()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.nats_url = await self._start_nats()
        if self.write_runtime:  # only the admin user may create or change the stream
            admin = await self.connect(ADMIN)
            await EventLog(admin, replicas=settings.replicas_on(admin._server_info)).ensure_stream()
        self.keys_engine = make_engine(settings.key_store_url, durable=True)
        self.keys = KeyStore(self.keys_engine)
        await self.keys.create_schema()
        self.db = make_engine(settings.read_model_url)
        if "api" in self.services:
            self.nc = await self.connect(API)
            self.event_log = EventLog(self.nc)
            # The first admin is made (by the platform owning the data dir) before any API process serves.
            self.accounts, self.account_cache = await api_accounts(self.nc, self.event_log, self.keys_engine,
                                                                   self.settings.data_dir, self.write_runtime)
        # Children first: the read models' tables exist before the HTTP API reads them; the API
        # processes last, so that nothing answers before every service this process runs listens.
        await self._start_children([spec for spec in self.children if spec != API_PROCESS])
        services = self._left_here()
        await self._start_services(services)
        if "api" in services:
            await self._start_api()
        await self._start_children([spec for spec in self.children if spec == API_PROCESS])
        http_url = f"http://{settings.http_host}:{settings.http_port}" if "api" in self.services else ""
        info = RuntimeInfo(os.getpid(), self.nats_url, http_url, settings.read_model_url, settings.key_store_url)
        if self.write_runtime:
            info.write(settings.data_dir)
        return info

    async def _start_nats(self) -> str:
        """The NATS to connect to: the one configured, else an embedded nats-server, watched."""
        settings = self.settings
        self.credentials = nats_credentials_for(settings)
        if settings.nats_url:
            return settings.nats_url
        server = EmbeddedNats(settings.data_dir / "nats", authorization=self.credentials.server_config(),
                              listener=listener_for(settings), leafnode_listen=settings.leaf_listen,
                              jetstream_domain=HUB_DOMAIN if settings.leaf_listen else None)
        self.embedded = await asyncio.to_thread(server.start)
        self.supervisor = NatsSupervisor(self.embedded, self.stopping)
        self.tasks.append(asyncio.create_task(self.supervisor.run(), name="nats-server"))
        return self.embedded.url

    async def _start_children(self, specs: list[ChildSpec]) -> None:
        for spec in specs:
            copies, fd = 1, None
            if spec == API_PROCESS:
                self.http_socket = listening_socket(self.settings.http_host, self.settings.http_port)
                copies, fd = self.settings.api_processes, self.http_socket.fileno()
            for _ in range(copies):
                child = ChildService(spec, self.settings, self.nats_url, http_fd=fd)
                await child.start()
                self.running_children.append(child)

    def _left_here(self) -> list[str]:
        """The services not given to child processes (an import worker child shares the bulk routes
        with this process's intake service)."""
        in_children = {name for spec in self.children for name in spec.services}
        return [name for name in self.services if name not in in_children]

    async def _start_services(self, services: list[str]) -> None:
        """The command services and log followers of this process; each service connects as its own
        NATS user (`services.platform.nats_permissions`)."""
        for name, module in COMMAND_SERVICES.items():
            if name in services:
                await self._serve(name, command_router(module.CONTEXT, module.ROUTES, await self._deps(name)),
                                  commands=True)
        if "reporting" in services:  # an accepted month's later changes, recorded as its adjustments
            self.adjustments = AdjustmentProcess(await self._deps("reporting"), self.db)
            self.tasks.append(asyncio.create_task(self.adjustments.run(), name="adjustments"))
        if "imports" in services and "intake" not in services:
            await self._serve("imports", command_router(intake.CONTEXT, BULK_ROUTES, await self._deps("imports")),
                              commands=True)
        if "projections" in services:
            self.projector = Projector(EventLog(await self.connect("projections")), self.db, all_projections())
            await self.projector.create_schema()
            await self._serve("projections", admin_router(self.projector, self.projector.log))
            self.tasks.append(asyncio.create_task(self.projector.run(), name="projector"))
        if "reminders" in services:
            self.reminders = ReminderProcess(await self._deps("reminders"), self.db)
            await self.reminders.start()
            self.tasks.append(asyncio.create_task(self.reminders.run(), name="reminders"))
        if "feeds" in services and self.credentials:
            self.feeds = Feeds(self._systems, EventLog(await self.connect(FEED)), self._connect_feeder)
            self.tasks.append(asyncio.create_task(self.feeds.run(), name="feeds"))

    async def connect(self, user: str) -> nats.NATS:
        """A connection as one of aixin's NATS users (anonymous only to an external NATS for which
        this data dir holds no credentials: that server's own configuration then decides)."""
        options = self.credentials.connect_options(user) if self.credentials else {}
        nc = await self._nats(f"aixin-{user}", options)
        self.connections.append(nc)
        return nc

    async def _nats(self, name: str, options: dict) -> nats.NATS:
        self.notes = self.notes or ConnectionNotes(self.stopping)
        defaults = {"max_reconnect_attempts": -1, "reconnect_time_wait": RECONNECT_WAIT, "error_cb": self.notes.error,
                    "disconnected_cb": self.notes.disconnected, "reconnected_cb": self.notes.reconnected}
        return await nats.connect(nats_servers(self.nats_url), name=name, **(defaults | options))

    def _systems(self) -> dict[str, dict[str, str]]:
        """The outside systems as `aixin systems` keeps them, read again at every look."""
        return NatsCredentials.load(self.credentials.data_dir).systems

    async def _connect_feeder(self, system: str) -> nats.NATS:
        """The platform's writer of one system's feed, in that system's account."""
        options = NatsCredentials.load(self.credentials.data_dir).feeder_options(system)
        # Refused until the server has reloaded a system just added: its feed tries again, quietly.
        return await self._nats(f"aixin-feeder-{system}", {**options, "error_cb": self.notes.quiet_error})

    async def _deps(self, user: str) -> Deps:
        return Deps(log=EventLog(await self.connect(user)), keys=self.keys)

    async def _serve(self, user: str, router, commands: bool = False) -> None:
        # No per-message access log: it would write two lines for every message.
        options = self.credentials.connect_options(user) if self.credentials else {}
        if options and not commands:  # the command server takes nats-py's options as they are
            options = {"security": NatsNKey.from_seed(options["nkeys_seed_str"], ssl_context=options.get("tls")),
                       "inbox_prefix": options["inbox_prefix"]}
        make = command_broker if commands else functools.partial(NatsBroker, logger=None)
        broker = make(nats_servers(self.nats_url), graceful_timeout=10, name=f"aixin-{user}", max_reconnect_attempts=-1,
                      reconnect_time_wait=RECONNECT_WAIT, **options)
        broker.include_router(router)
        await broker.start()
        self.brokers.append(broker)

    async def _start_api(self) -> None:
        """The API in this process; routes find the account service on `app.state.accounts`."""
        self.tasks.append(asyncio.create_task(follow_account_events(self.event_log, self.account_cache),
                                              name="account events"))
        app = create_app(self.nc, self.event_log, self.db, self.keys, accounts=self.accounts)
        app.state.data_dir = self.settings.data_dir  # where the period settings are (contracts.periods)
        self.tasks.append(asyncio.create_task(keep_compliance_warm(self.db, app.state.compliance), name="warm"))
        s = self.settings
        self.http = await serve_http(app, s.http_host, s.http_port, s.http_fd, self.tasks)

    async def stop(self) -> None:
        """Stop everything, each step bounded in time and independent of the others: NATS may be
        gone already (Ctrl-C reaches the embedded server too), and a step that fails or hangs must
        not leave child processes or the server running."""
        self.stopping.set()
        if getattr(self, "http", None):
            self.http.should_exit = True
        for child in self.running_children:  # the API processes first: no request comes as the services stop
            if child.spec == API_PROCESS:
                await child.stop()
        for broker in self.brokers:
            await _bounded(broker.stop(), "stopping the command endpoints")
        for child in self.running_children:
            await child.stop()
        if getattr(self, "http_socket", None):
            self.http_socket.close()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, STOP_STEP_SECONDS)
        for nc in self.connections:
            await _bounded(nc.drain(), "draining a NATS connection")
        for engine in (getattr(self, "db", None), getattr(self, "keys_engine", None)):
            if engine is not None:
                await _bounded(engine.dispose(), "closing a database")
        if self.embedded:
            await self.embedded.astop()
        if getattr(self, "lock", None):
            self.lock.release()

    def stop_on_signals(self) -> None:
        """SIGINT and SIGTERM stop it, also while it starts (entry points call this before `start`:
        `aixin up`'s API process answers before this one has finished starting)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)

    async def run_until_signalled(self) -> None:
        self.stop_on_signals()
        await self.stopping.wait()


async def _bounded(step, what: str) -> None:
    try:
        await asyncio.wait_for(step, STOP_STEP_SECONDS)
    except Exception as error:  # TimeoutError included: go on with the rest of the stop
        log.warning("%s did not finish cleanly: %r", what, error)
