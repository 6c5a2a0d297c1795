"""`aixin users …`: accounts of the signed-in admin's subtree — add, list, grant, revoke, disable,
and set a password. Passwords are read from standard input (`--password-stdin`) or asked for, never
taken as an argument (it would stay in the shell's history)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from services.cli.common import AsJson, DataDir, call, console, data_directory
from services.cli.credentials import CREDENTIAL_FILE, write_private
from services.cli.session import PasswordStdin, read_password

users_app = typer.Typer(help="Accounts: who may sign in, at which office, in which roles (admins).",
                        no_args_is_help=True)
ROLES = "viewer, caseworker, approver, admin or system"
Username = Annotated[str, typer.Argument(help="the account's username (a-z, 0-9, '-', '_')")]
RoleArg = Annotated[str, typer.Argument(help=ROLES)]


@users_app.command()
def add(username: Username,
        office: Annotated[str, typer.Option(help="CN or a division code (2, 4, 6, 9 or 12 digits)")],
        role: Annotated[list[str], typer.Option(help=f"{ROLES} (repeatable)")],
        password_stdin: PasswordStdin = False, data_dir: DataDir = None) -> None:
    """Create an account at an office of your subtree."""
    password = read_password(password_stdin)
    account = call(data_dir, "POST", "/accounts",
                   body={"username": username, "office": office, "roles": role, "password": password})
    console.print(f"created {_line(account)}", highlight=False)


@users_app.command("list")
def list_(json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """The accounts of your office's subtree."""
    result = call(data_dir, "GET", "/accounts")
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("username", "office", "level", "roles", "disabled", title=f"accounts of {result['office']}")
    for account in result["accounts"]:
        table.add_row(account["username"], account["office"], account["level"], ", ".join(account["roles"]),
                      "[red]yes" if account["disabled"] else "no")
    console.print(table)


@users_app.command()
def grant(username: Username, role: RoleArg, data_dir: DataDir = None) -> None:
    """Give an account one more role."""
    account = call(data_dir, "POST", f"/accounts/{username}/roles", body={"role": role})
    console.print(f"granted {role}: {_line(account)}", highlight=False)


@users_app.command()
def revoke(username: Username, role: RoleArg, data_dir: DataDir = None) -> None:
    """Take a role from an account."""
    account = call(data_dir, "DELETE", f"/accounts/{username}/roles/{role}")
    console.print(f"revoked {role}: {_line(account)}", highlight=False)


@users_app.command()
def disable(username: Username, data_dir: DataDir = None) -> None:
    """Disable an account: its tokens stop working at once."""
    console.print(f"disabled {_line(call(data_dir, 'POST', f'/accounts/{username}/disable'))}", highlight=False)


@users_app.command()
def password(username: Username, password_stdin: PasswordStdin = False, data_dir: DataDir = None) -> None:
    """Set an account's password (your own, or, as an admin, one of your subtree's)."""
    new = read_password(password_stdin)
    account = call(data_dir, "POST", f"/accounts/{username}/password", body={"password": new})
    console.print(f"password changed: {_line(account)}", highlight=False)
    credential = data_directory(data_dir) / CREDENTIAL_FILE
    if credential.exists() and json.loads(credential.read_text()).get("username") == username:
        write_private(credential, {"username": username, "password": new})  # or the CLI could not sign in
        console.print(f"{credential} updated", highlight=False)


def _line(account: dict) -> str:
    state = " (disabled)" if account.get("disabled") else ""
    return f"{account['username']} at {account['office']} ({account['level']}): {', '.join(account['roles'])}{state}"
