"""Where things are: one data directory on one machine, or URLs of external NATS and PostgreSQL.

Environment: AIXIN_DATA_DIR (default ./aixin-data), AIXIN_NATS_URL (unset: embedded nats-server),
AIXIN_DB_URL (read models; default SQLite in the data dir), AIXIN_KEYS_URL (key store; default
SQLite in the data dir — keep it on different storage from the log in production),
AIXIN_FEED_LISTEN and AIXIN_FEED_ADVERTISE (the embedded server's listener for outside systems),
AIXIN_LEAF_LISTEN (where provinces' leaf nodes connect; with it the server has the JetStream domain
`aixin`), AIXIN_STREAM_REPLICAS (the log's replicas; default 3 on a NATS cluster, else 1),
AIXIN_API_PROCESSES (the HTTP API's processes under `aixin up`; default 1, see `api_processes`).

AIXIN_NATS_URL may name several servers of one cluster, comma-separated: a client connects to any
of them and moves to another when its server goes.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

RUNTIME_FILE = "aixin.json"
CLUSTER_REPLICAS = 3


def default_data_dir() -> Path:
    return Path(os.environ.get("AIXIN_DATA_DIR", "aixin-data")).resolve()


@dataclass
class Settings:
    data_dir: Path
    nats_url: str | None = None
    db_url: str | None = None
    keys_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8765
    # The embedded nats-server's listener for outside systems (`services.platform.nats_listener`):
    # HOST:PORT, the host name systems are told, and the operator's certificate, key and CA.
    feed_listen: str | None = None
    feed_advertise: str | None = None
    feed_tls_cert: Path | None = None
    feed_tls_key: Path | None = None
    feed_tls_ca: Path | None = None
    # HOST:PORT where provinces' leaf nodes connect (`services.platform.leaf_config`); None: no leaf.
    leaf_listen: str | None = None
    # The log stream's replicas; None: 3 when the server is one of a cluster of three or more, else 1.
    stream_replicas: int | None = None
    # The HTTP API's processes under `aixin up`, sharing its port. One by default: on two cores the
    # command services, the log followers and the nats-server want the rest. An API process of its
    # own, with its account and token caches, took RegisterChild over HTTP at 64 in flight from
    # 209-235/s to 439-482/s, and the main process's CPU per command from 3.2 ms to 0.6-0.7 ms (the
    # API process's own: 0.65 ms); two API processes made 437-503/s. More where cores are to spare.
    api_processes: int = 1
    # An API process of `aixin up`: the listening socket its parent bound (services.platform.http_api).
    http_fd: int | None = None

    @classmethod
    def from_env(cls, data_dir: Path | None = None, **overrides) -> Settings:
        settings = cls(
            data_dir=(data_dir or default_data_dir()).resolve(),
            nats_url=os.environ.get("AIXIN_NATS_URL"),
            db_url=os.environ.get("AIXIN_DB_URL"),
            keys_url=os.environ.get("AIXIN_KEYS_URL"),
            feed_listen=os.environ.get("AIXIN_FEED_LISTEN"),
            feed_advertise=os.environ.get("AIXIN_FEED_ADVERTISE"),
            leaf_listen=os.environ.get("AIXIN_LEAF_LISTEN"),
            stream_replicas=_replicas(os.environ.get("AIXIN_STREAM_REPLICAS")),
            api_processes=_processes(os.environ.get("AIXIN_API_PROCESSES")),
        )
        for key, value in overrides.items():
            if value is not None:
                setattr(settings, key, value)
        return settings

    def replicas_on(self, server_info: dict) -> int:
        """The log's replicas on the server a client is connected to (its INFO tells whether it is
        clustered, and the client URLs of the cluster's servers)."""
        if self.stream_replicas:
            return self.stream_replicas
        clustered = server_info.get("cluster") and len(server_info.get("connect_urls") or ()) >= CLUSTER_REPLICAS
        return CLUSTER_REPLICAS if clustered else 1

    @property
    def read_model_url(self) -> str:
        return self.db_url or f"sqlite+aiosqlite:///{self.data_dir / 'read-models.db'}"

    @property
    def key_store_url(self) -> str:
        return self.keys_url or f"sqlite+aiosqlite:///{self.data_dir / 'keys.db'}"


def _replicas(text: str | None) -> int | None:
    if not text:
        return None
    if text not in ("1", "3", "5"):
        raise ValueError(f"AIXIN_STREAM_REPLICAS is 1, 3 or 5 (JetStream's odd quorums up to 5), not {text!r}")
    return int(text)


MAX_API_PROCESSES = 64


def _processes(text: str | None) -> int:
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= MAX_API_PROCESSES:
        raise ValueError(f"AIXIN_API_PROCESSES is a whole number from 1 to {MAX_API_PROCESSES}, not {text!r}")
    return int(text)


def check_api_processes(count: int) -> int:
    return _processes(str(count))


def nats_servers(url: str) -> list[str]:
    """The servers of a NATS URL that may list several, comma-separated (the nodes of a cluster)."""
    servers = [part.strip() for part in url.split(",") if part.strip()]
    if not servers:
        raise ValueError(f"no NATS server in {url!r}")
    return servers


@dataclass
class RuntimeInfo:
    """Written by `aixin up` into the data dir so that other commands find the running platform."""

    pid: int
    nats_url: str
    http_url: str
    db_url: str
    keys_url: str

    def write(self, data_dir: Path) -> None:
        (data_dir / RUNTIME_FILE).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def read(cls, data_dir: Path) -> RuntimeInfo:
        path = data_dir / RUNTIME_FILE
        if not path.exists():
            raise FileNotFoundError(
                f"aixin is not running for data dir {data_dir} (no {path}); start it with "
                f"'aixin up --data-dir {data_dir}' or set AIXIN_DATA_DIR"
            )
        return cls(**json.loads(path.read_text()))
