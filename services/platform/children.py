"""Services of `aixin up` that run in child processes, so that one machine's cores all work.

Python runs one thread of code per process, and `aixin up` would otherwise do everything on one
core. Three groups go to child processes of their own:

- the log followers (projections and reminders), at the same CPU priority as the rest: they once
  ran at nice 10, so that commands would not wait for figures, but then a command's effect took
  a second to show in `stats` while an import ran (p50 25-35 ms and p99 to 1.3 s at nice 10, p50
  11-21 ms at nice 0, in `aixin bench`'s measurement), and commands and imports are no faster
  for it on two cores, where the followers mostly have one to themselves;
- an import worker, serving only the bulk registrations of `aixin import` in the intake service's
  queue group, so that a large list is registered on two cores. Bulk registration only seals data
  of people not yet on file and never unseals, so the worker's key cache cannot keep an erased
  person readable (see `services.intake.bulk`);
- the HTTP API with the dashboard, in `Settings.api_processes` processes sharing one listening
  socket that the parent binds (`services.platform.http_api`): the API's own work per request
  (parsing, the token's check, answering) once shared a core with the command services, and
  RegisterChild over HTTP at 64 in flight stopped at 209-235/s where NATS took 1,057/s; with an
  API process of its own, 439-482/s (`Settings.api_processes` has the figures). The
  parent keeps the command services and creates the first admin before any API process starts.
  Per API process: its compliance figures warmed (services.api.warm), its account cache
  (services.accounts.cache) and its sign-in lock-out count (services.accounts.lockout).

A child is started with `python -m services.platform.child_process`, says "ready" on its standard output
once its services listen, gets SIGTERM when its parent dies (even by SIGKILL), and is started
again if it stops on its own.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from dataclasses import dataclass, field

from services.platform.embedded_nats import die_with_parent
from services.platform.settings import Settings

log = logging.getLogger("aixin")
READY = b"ready"
START_TIMEOUT = 60.0
RESTART_DELAY = 1.0
WATCH_INTERVAL = 0.2
STOP_SECONDS = 20.0


@dataclass(frozen=True)
class ChildSpec:
    name: str
    services: tuple[str, ...]


# `aixin up`: the main process keeps the nats-server and the command services.
FOLLOWERS = ChildSpec("log followers", ("projections", "reminders", "feeds"))
IMPORT_WORKER = ChildSpec("import worker", ("imports",))
API_PROCESS = ChildSpec("HTTP API", ("api",))  # one per Settings.api_processes
UP_CHILDREN = (FOLLOWERS, IMPORT_WORKER, API_PROCESS)


@dataclass
class ChildService:
    spec: ChildSpec
    settings: Settings
    nats_url: str
    http_fd: int | None = None  # the API's listening socket, inherited (an API process only)
    process: subprocess.Popen | None = None
    _watch: asyncio.Task | None = None
    _stopping: bool = field(default=False)

    async def start(self) -> None:
        # A process group of its own, as the embedded server has: on Ctrl-C the parent stops it.
        fds = () if self.http_fd is None else (self.http_fd,)
        self.process = subprocess.Popen(self._command(), stdout=subprocess.PIPE, process_group=0, pass_fds=fds,
                                        preexec_fn=self._prepare if sys.platform == "linux" else None)
        try:
            line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), START_TIMEOUT)
        except TimeoutError:
            line = b""
        if line.strip() != READY:
            self.process.kill()
            raise RuntimeError(f"the {self.spec.name} ({', '.join(self.spec.services)}) did not start; "
                               f"its errors are above")
        self._watch = asyncio.create_task(self._restart_when_stopped(), name=f"watch {self.spec.name}")

    def _command(self) -> list[str]:
        s = self.settings
        http = [] if self.http_fd is None else ["--http", f"{s.http_host}:{s.http_port}", "--http-fd", str(self.http_fd)]
        return [sys.executable, "-m", "services.platform.child_process", "--nats-url", self.nats_url,
                "--data-dir", str(s.data_dir), "--db-url", s.read_model_url,
                "--keys-url", s.key_store_url, *http, *self.spec.services]

    @staticmethod
    def _prepare() -> None:
        die_with_parent()

    async def _restart_when_stopped(self) -> None:
        # Polled, not waited for in a thread: a thread blocked in wait() would hold up the parent's
        # own exit for as long as the child lives.
        while (code := self.process.poll()) is None:
            await asyncio.sleep(WATCH_INTERVAL)
        while True:
            # Ctrl-C reaches the whole process group: give the parent the moment it needs to say
            # it is stopping too, so that a child stopped along with it is not started again.
            await asyncio.sleep(RESTART_DELAY)
            if self._stopping:
                return
            log.error("the %s stopped (exit code %s); starting it again", self.spec.name, code)
            try:
                await self.start()
                return
            except RuntimeError as error:
                log.error("%s", error)
                code = self.process.returncode

    async def stop(self) -> None:
        self._stopping = True
        if self._watch:
            self._watch.cancel()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            for _ in range(int(STOP_SECONDS / WATCH_INTERVAL)):
                if self.process.poll() is not None:
                    return
                await asyncio.sleep(WATCH_INTERVAL)
            log.warning("the %s did not stop in %.0f s; killing it", self.spec.name, STOP_SECONDS)
            self.process.kill()
            self.process.wait()

