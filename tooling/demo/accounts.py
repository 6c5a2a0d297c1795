"""The demo federation's accounts: a caseworker and an approver per district of the demo's places,
a viewer per province. Random passwords, kept in data_dir/demo-accounts.json (mode 0600); running
the demo again keeps them (an account whose password is not on file gets a new one).

The demo's commands are sent by the district caseworkers: each command's placeholder actor names
the account that sends it (the API records that account, with the same office, as the actor).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from contracts.envelope import Actor, FederationLevel
from contracts.regions.report_places import REPORT_TOWNS
from contracts.replies import Reply
from services.cli.client import Connection, HttpCommands
from services.cli.credentials import Auth, denied, detail_of, write_private

ACCOUNTS_FILE = "demo-accounts.json"


def caseworker(district: str) -> Actor:
    """The placeholder actor of the demo's commands in a district: it names their sender."""
    return Actor(operator_id=f"caseworker-{district}", level=FederationLevel.district, region=district)


def offices() -> list[tuple[str, str, list[str]]]:
    """(username, office, roles) of every demo account."""
    districts = sorted({town[:6] for town in REPORT_TOWNS})
    accounts = []
    for district in districts:
        accounts.append((f"caseworker-{district}", district, ["caseworker"]))
        accounts.append((f"approver-{district}", district, ["approver"]))
    accounts += [(f"viewer-{province}", province, ["viewer"]) for province in sorted({d[:2] for d in districts})]
    return accounts


async def ensure_accounts(commands: HttpCommands) -> tuple[Path, dict[str, dict]]:
    """Create the accounts that are missing (as the signed-in admin); return the file and its entries."""
    connection: Connection = commands.connection
    path = connection.data_dir / ACCOUNTS_FILE
    saved = json.loads(path.read_text()) if path.exists() else {}
    accounts = {}
    for username, office, roles in offices():
        known = saved.get(username, {}).get("password")
        password = known or secrets.token_urlsafe(12)
        response = await _call(commands, "POST", "/accounts", {"username": username, "office": office,
                                                              "roles": roles, "password": password})
        if response.status_code == 409 and not known:  # there already, with a password we do not know
            response = await _call(commands, "POST", f"/accounts/{username}/password", {"password": password})
        if response.status_code in (401, 403, 429):
            raise denied(response, connection.auth.username)
        if response.status_code >= 300 and response.status_code != 409:
            raise LookupError(f"cannot create the demo account {username}: {detail_of(response)}")
        accounts[username] = {"password": password, "office": office, "roles": roles}
    write_private(path, accounts)
    return path, accounts


async def _call(commands: HttpCommands, method: str, path: str, payload: dict):
    headers = await commands.connection.auth.aheaders(commands.http)
    return await commands.http.request(method, path, json=payload, headers=headers, timeout=60)


class DemoSender:
    """Sends each demo command as the account its placeholder actor names."""

    def __init__(self, commands: HttpCommands, accounts: dict[str, dict]) -> None:
        self.commands = commands
        self.auths = {name: Auth(commands.connection.http_url, name, password=entry["password"])
                      for name, entry in accounts.items()}

    async def send(self, context: str, name: str, command) -> Reply:
        return await self.commands.send(context, name, command, auth=self.auths[command.actor.operator_id])


def sign_in_hint(path: Path, accounts: dict[str, dict]) -> str:
    example = next(name for name in accounts if name.startswith("caseworker-"))
    return (f"{len(accounts)} demo accounts (a caseworker and an approver per district, a viewer per province); "
            f"passwords in {path}\n  sign in as one: jq -r '.\"{example}\".password' {path} | "
            f"aixin login {example} --password-stdin")
