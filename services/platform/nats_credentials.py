"""The NATS credentials of one installation: an NKey per aixin user and per provincial or city
system, in `data_dir/nats-credentials.json` (mode 0600).

NKeys rather than passwords: the server's configuration holds only public keys, and a client
proves its identity by signing the server's challenge, so neither the configuration nor a
captured connection gives anyone a credential. A system's seed is also written to
`data_dir/systems/<name>.nk` (0600), the one file its operators are handed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import nkeys

from services.platform.nats_permissions import (SERVICE_USERS, check_system_name, inbox_prefix, permissions,
                                                system_permissions)
from contracts.regions import known_region
from services.platform.data_dir import PRIVATE_DIR, PRIVATE_FILE

CREDENTIALS_FILE = "nats-credentials.json"
SYSTEMS_DIR = "systems"


def new_seed() -> str:
    return nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER).decode()


def public_key(seed: str) -> str:
    return nkeys.from_seed(seed.encode()).public_key.decode()


def write_private(path: Path, text: str) -> None:
    """Written through a descriptor opened 0600, never readable by others even for a moment."""
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.chmod(path, PRIVATE_FILE)


@dataclass
class NatsCredentials:
    data_dir: Path
    users: dict[str, str] = field(default_factory=dict)  # user -> seed
    systems: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {seed, office}

    @property
    def path(self) -> Path:
        return self.data_dir / CREDENTIALS_FILE

    @classmethod
    def exists(cls, data_dir: Path) -> bool:
        return (data_dir / CREDENTIALS_FILE).exists()

    @classmethod
    def load(cls, data_dir: Path) -> NatsCredentials:
        path = data_dir / CREDENTIALS_FILE
        try:
            stored = json.loads(path.read_text())
            return cls(data_dir, dict(stored["users"]), dict(stored.get("systems", {})))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RuntimeError(f"cannot read the NATS credentials in {path}: {error}") from None

    @classmethod
    def load_or_create(cls, data_dir: Path) -> NatsCredentials:
        """This installation's credentials, with a new NKey for any aixin user that has none yet."""
        credentials = cls.load(data_dir) if cls.exists(data_dir) else cls(data_dir)
        missing = [user for user in SERVICE_USERS if user not in credentials.users]
        for user in missing:
            credentials.users[user] = new_seed()
        if missing:
            credentials.save()
        return credentials

    def save(self) -> None:
        write_private(self.path, json.dumps({"users": self.users, "systems": self.systems}, indent=2))

    def connect_options(self, user: str) -> dict:
        """nats.connect's (and NatsBroker's) keyword arguments for one of aixin's users."""
        return {"nkeys_seed_str": self.users[user], "inbox_prefix": inbox_prefix(user)}

    def add_system(self, name: str, office: str) -> Path:
        """A provincial or city system's user; returns the seed file to hand to its operators."""
        check_system_name(name)
        known_region(office)  # a code that is no division fails here, before anything is kept
        if name in self.systems:
            raise ValueError(f"a system named {name!r} exists already (office {self.systems[name]['office']}); "
                             f"remove it first to give it another office or a new key")
        seed = new_seed()
        self.systems[name] = {"seed": seed, "office": office}
        self.save()
        seed_file = self.data_dir / SYSTEMS_DIR / f"{name}.nk"
        write_private(seed_file, seed + "\n")
        return seed_file

    def remove_system(self, name: str) -> None:
        if name not in self.systems:
            raise ValueError(f"no system named {name!r}")
        del self.systems[name]
        self.save()
        (self.data_dir / SYSTEMS_DIR / f"{name}.nk").unlink(missing_ok=True)

    def authorization(self) -> dict:
        """The nats-server `authorization` block: public keys and permissions, no secret."""
        users = [{"nkey": public_key(seed), "permissions": permissions(user)} for user, seed in self.users.items()]
        users += [{"nkey": public_key(system["seed"]), "permissions": system_permissions(name, system["office"])}
                  for name, system in self.systems.items()]
        return {"users": users}

    def server_config(self) -> str:
        # JSON is valid nats-server configuration syntax.
        return f"authorization: {json.dumps(self.authorization(), indent=2)}\n"


def credentials_dir(data_dir: Path) -> Path:
    """Where the credentials are: the data dir, or AIXIN_NATS_CREDENTIALS_DIR where several
    installations (containers of one deployment) share one set."""
    return Path(os.environ.get("AIXIN_NATS_CREDENTIALS_DIR") or data_dir)


def nats_credentials_for(settings) -> NatsCredentials | None:
    """The embedded server always runs with this data dir's credentials (made on first start); an
    external NATS gets them where `aixin nats-config` made them for it, else its own rules apply."""
    directory = credentials_dir(settings.data_dir)
    if not settings.nats_url:
        return NatsCredentials.load_or_create(directory)
    if NatsCredentials.exists(directory):
        return NatsCredentials.load(directory)
    return None
