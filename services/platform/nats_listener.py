"""Where the embedded nats-server listens, kept in the data dir so that it stays put across restarts.

Without a feed listener the server listens on loopback only, on a port chosen free at the first
start and kept from then on (`data_dir/nats/listener.json`): the platform's own services and the
CLI find it there, and a system on the same machine keeps a working URL. With one
(`aixin up --feed-listen 0.0.0.0:4222`, or AIXIN_FEED_LISTEN), it listens on that address and port
for outside systems too, with TLS required of every client, the platform's own included (one port
cannot ask TLS of some clients only without letting any client go without). The certificate is
the operator's (`--feed-tls-cert/--feed-tls-key`, and the CA that signed it, `--feed-tls-ca`) or
one generated into `data_dir/tls/` by a CA of this installation; the systems get that CA in their
connection bundle. The platform's services connect over loopback whatever the listen address.
"""

from __future__ import annotations

import json
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from services.platform.data_dir import write_private
from services.platform.tls_files import TlsFiles, generate_tls

LISTENER_FILE = "listener.json"
LOOPBACK = "127.0.0.1"
WILDCARDS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class Listener:
    host: str
    port: int
    tls: TlsFiles | None = None
    advertise: str = LOOPBACK  # the host name outside systems are told to connect to

    @property
    def internal_url(self) -> str:
        """The URL the platform's own services and the CLI connect to."""
        host = LOOPBACK if self.host in WILDCARDS else self.host
        return f"{'tls' if self.tls else 'nats'}://{host}:{self.port}"

    @property
    def public_url(self) -> str:
        """The URL handed to outside systems in their bundle."""
        return f"{'tls' if self.tls else 'nats'}://{self.advertise}:{self.port}"

    def server_config(self) -> str:
        text = f'listen: "{self.host}:{self.port}"\n'
        if self.tls:
            text += (f'tls {{\n  cert_file: "{self.tls.cert}"\n  key_file: "{self.tls.key}"\n'
                     f'  timeout: 5\n}}\n')
        return text

    def save(self, nats_dir: Path) -> None:
        stored = {"host": self.host, "port": self.port, "advertise": self.advertise,
                  "tls": asdict(self.tls) if self.tls else None}
        write_private(nats_dir / LISTENER_FILE, json.dumps(stored, indent=2, default=str))

    @classmethod
    def load(cls, nats_dir: Path) -> Listener | None:
        path = nats_dir / LISTENER_FILE
        if not path.exists():
            return None
        try:
            stored = json.loads(path.read_text())
            tls = TlsFiles(**{k: Path(v) for k, v in stored["tls"].items()}) if stored.get("tls") else None
            return cls(stored["host"], int(stored["port"]), tls, stored.get("advertise") or LOOPBACK)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RuntimeError(f"cannot read the NATS listener in {path}: {error}; delete it to choose "
                               f"anew") from None


def parse_listen(value: str) -> tuple[str, int]:
    """'0.0.0.0:4222' → ('0.0.0.0', 4222), with a clear error for anything else."""
    host, _, port = value.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--feed-listen takes HOST:PORT with a port from 1 to 65535, e.g. 0.0.0.0:4222; "
                         f"not {value!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def resolve_listener(data_dir: Path, feed_listen: str | None = None, advertise: str | None = None,
                     operator_tls: TlsFiles | None = None, free_port=None) -> Listener:
    """The listener to start with: the one asked for now, else the one kept, else loopback on a free
    port; whichever it is, kept for the next start."""
    nats_dir = data_dir / "nats"
    kept = Listener.load(nats_dir)
    if feed_listen:
        host, port = parse_listen(feed_listen)
        name = advertise or (kept.advertise if kept and kept.advertise != LOOPBACK else None) or _host_name(host)
        tls = operator_tls or generate_tls(data_dir / "tls", {name, "localhost", LOOPBACK, socket.gethostname()})
        listener = Listener(host, port, tls, name)
    elif kept:
        listener = kept if not advertise else Listener(kept.host, kept.port, kept.tls, advertise)
    else:
        listener = Listener(LOOPBACK, free_port() if free_port else 0)
    nats_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if listener.port:
        listener.save(nats_dir)
    return listener


def listener_for(settings) -> Listener:
    """Where the embedded server listens for `settings` (`services.platform.settings.Settings`)."""
    files = (settings.feed_tls_cert, settings.feed_tls_key, settings.feed_tls_ca)
    if any(files) and not all(files):
        raise ValueError("--feed-tls-cert, --feed-tls-key and --feed-tls-ca go together: the certificate, "
                         "its key and the CA that signed it (which the systems are given)")
    operator_tls = TlsFiles(*(Path(path).resolve() for path in files)) if all(files) else None
    return resolve_listener(settings.data_dir, settings.feed_listen, settings.feed_advertise, operator_tls,
                            free_port)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _host_name(host: str) -> str:
    """The name outside systems are told: the listen address itself, or this machine's name (its
    fully qualified one, unless that is only 'localhost', as on a machine without DNS for itself)."""
    if host not in WILDCARDS:
        return host
    fqdn = socket.getfqdn()
    return socket.gethostname() if fqdn.startswith("localhost") else fqdn
