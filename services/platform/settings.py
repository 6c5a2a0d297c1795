"""Where things are: one data directory on one machine, or URLs of external NATS and PostgreSQL.

Environment: AIXIN_DATA_DIR (default ./aixin-data), AIXIN_NATS_URL (unset: embedded nats-server),
AIXIN_DB_URL (read models; default SQLite in the data dir), AIXIN_KEYS_URL (key store; default
SQLite in the data dir — keep it on different storage from the log in production),
AIXIN_FEED_LISTEN and AIXIN_FEED_ADVERTISE (the embedded server's listener for outside systems),
AIXIN_LEAF_LISTEN (where provinces' leaf nodes connect; with it the server has the JetStream domain
`aixin`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

RUNTIME_FILE = "aixin.json"


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
        )
        for key, value in overrides.items():
            if value is not None:
                setattr(settings, key, value)
        return settings

    @property
    def read_model_url(self) -> str:
        return self.db_url or f"sqlite+aiosqlite:///{self.data_dir / 'read-models.db'}"

    @property
    def key_store_url(self) -> str:
        return self.keys_url or f"sqlite+aiosqlite:///{self.data_dir / 'keys.db'}"


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
