"""The first start: the national admin `admin` (office CN; admin, caseworker, approver) with a random
password, written to data_dir/credential.json (0600) for `aixin` to sign in with. Nothing is done
once any account exists, so a second start keeps every password as it is."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from contracts.accounts import Role
from contracts.envelope import Actor, FederationLevel
from contracts.regions import parse_region
from services.accounts.service import AccountService

CREDENTIAL_FILE = "credential.json"
ADMIN = "admin"
ADMIN_ROLES = frozenset({Role.admin, Role.caseworker, Role.approver})
BOOTSTRAP_ACTOR = Actor(operator_id="aixin-bootstrap", level=FederationLevel.national, region="CN",
                        role=Role.system.value)


async def create_first_admin(accounts: AccountService, data_dir: Path) -> bool:
    """True if the admin was created now (and credential.json written)."""
    password = secrets.token_urlsafe(18)
    # The file first: an admin whose password was never written down would lock the operator out.
    draft = _write_private(data_dir / f".{CREDENTIAL_FILE}.new", {"username": ADMIN, "password": password})
    try:
        created = await accounts.bootstrap(ADMIN, parse_region("CN"), ADMIN_ROLES, password, BOOTSTRAP_ACTOR)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    if created:
        draft.replace(data_dir / CREDENTIAL_FILE)
    else:
        draft.unlink(missing_ok=True)
    return created


def _write_private(path: Path, value: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(value, file)
    return path
