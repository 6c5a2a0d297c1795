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

from services.platform.nats_permissions import (FEEDER, SERVICE_USERS, check_system_name, feeder_permissions,
                                                inbox_prefix, leaf_permissions, permissions, system_account,
                                                system_permissions)
from contracts.regions import known_region
from services.platform.data_dir import write_private
from services.platform.nats_listener import Listener

CREDENTIALS_FILE = "nats-credentials.json"
SYSTEMS_DIR = "systems"
PLATFORM_ACCOUNT = "AIXIN"
# What one system's account may keep: its feed stream and the consumers its readers make on it.
# No byte limit on file storage: a positive `max_file` is a reservation of the server's store, which
# defaults to three quarters of the free disk, and a reload (`aixin systems add`) that finds the sum
# of reservations over it enables JetStream in none of the new accounts (at 20 GiB each, the
# store of a 74 GB disk was spoken for by the third system). What one account keeps is bounded
# by its one stream's retention.
SYSTEM_JETSTREAM = {"max_mem": 0, "max_file": -1, "max_streams": 1, "max_consumers": 64}


def new_seed() -> str:
    return nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER).decode()


def public_key(seed: str) -> str:
    return nkeys.from_seed(seed.encode()).public_key.decode()


@dataclass
class NatsCredentials:
    data_dir: Path
    users: dict[str, str] = field(default_factory=dict)  # user -> seed
    # name -> {seed, office, feeder_seed (the platform's writer in its account), pseudonym_key (hex),
    #          leaf_seed (its province's leaf node, once one is configured)}
    systems: dict[str, dict[str, str]] = field(default_factory=dict)
    route_secret_: str | None = None  # what a cluster's nodes authenticate their routes with

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
            return cls(data_dir, dict(stored["users"]), dict(stored.get("systems", {})), stored.get("route_secret"))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RuntimeError(f"cannot read the NATS credentials in {path}: {error}") from None

    @classmethod
    def load_or_create(cls, data_dir: Path) -> NatsCredentials:
        """This installation's credentials, with a new NKey for any aixin user that has none yet."""
        credentials = cls.load(data_dir) if cls.exists(data_dir) else cls(data_dir)
        missing = [user for user in SERVICE_USERS if user not in credentials.users]
        for user in missing:
            credentials.users[user] = new_seed()
        # Systems added before each had an account of its own get their feeder and pseudonym key.
        older = [system for system in credentials.systems.values() if "feeder_seed" not in system]
        for system in older:
            system.update(feeder_seed=new_seed(), pseudonym_key=os.urandom(32).hex())
        if missing or older:
            credentials.save()
        return credentials

    def save(self) -> None:
        kept = {"users": self.users, "systems": self.systems}
        if self.route_secret_:
            kept["route_secret"] = self.route_secret_
        write_private(self.path, json.dumps(kept, indent=2))

    def connect_options(self, user: str) -> dict:
        """nats.connect's keyword arguments for one of aixin's users (`tls`: the CA to trust, where
        the embedded server of this data dir requires TLS)."""
        return {"nkeys_seed_str": self.users[user], "inbox_prefix": inbox_prefix(user), **self.tls_options()}

    def tls_options(self) -> dict:
        listener = Listener.load(self.data_dir / "nats")
        return {"tls": listener.tls.client_context()} if listener and listener.tls else {}

    def add_system(self, name: str, office: str) -> Path:
        """A provincial or city system's user; returns the seed file to hand to its operators."""
        check_system_name(name)
        known_region(office)  # a code that is no division fails here, before anything is kept
        if name in self.systems:
            raise ValueError(f"a system named {name!r} exists already (office {self.systems[name]['office']}); "
                             f"remove it first to give it another office or a new key")
        seed = new_seed()
        self.systems[name] = {"seed": seed, "office": office, "feeder_seed": new_seed(),
                              "pseudonym_key": os.urandom(32).hex()}
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

    def leaf_seed(self, name: str) -> str:
        """The NKey a province's leaf node connects to the hub with, made the first time it is asked
        for: a key of its own, not the system's, so that either can be cut off without the other and
        the system's user keeps its narrower rights."""
        system = self.systems[name]
        if "leaf_seed" not in system:
            system["leaf_seed"] = new_seed()
            self.save()
        return system["leaf_seed"]

    def route_secret(self) -> str:
        """The password a cluster's nodes give each other on their routes, made the first time it is
        asked for and kept, so that configurations written again still join the running nodes."""
        if not self.route_secret_:
            self.route_secret_ = os.urandom(24).hex()
            self.save()
        return self.route_secret_

    def feeder_options(self, name: str) -> dict:
        """nats.connect's keyword arguments for the platform's feeder in one system's account."""
        return {"nkeys_seed_str": self.systems[name]["feeder_seed"], "inbox_prefix": inbox_prefix(FEEDER),
                **self.tls_options()}

    def accounts(self) -> dict:
        """The nats-server `accounts` block: public keys and permissions, no secret. The platform's
        users share one account; each system has one of its own with the platform's feeder, and
        no account exports or imports anything."""
        platform = {"jetstream": "enabled",
                    "users": [{"nkey": public_key(seed), "permissions": permissions(user)}
                              for user, seed in self.users.items()]}
        accounts = {PLATFORM_ACCOUNT: platform}
        for name, system in sorted(self.systems.items()):
            users = [{"nkey": public_key(system["seed"]), "permissions": system_permissions(name)},
                     {"nkey": public_key(system["feeder_seed"]), "permissions": feeder_permissions()}]
            if "leaf_seed" in system:
                users.append({"nkey": public_key(system["leaf_seed"]), "permissions": leaf_permissions()})
            accounts[system_account(name)] = {"jetstream": dict(SYSTEM_JETSTREAM), "users": users}
        return accounts

    def server_config(self) -> str:
        # JSON is valid nats-server configuration syntax.
        return f"accounts: {json.dumps(self.accounts(), indent=2)}\n"


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
