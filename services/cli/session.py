"""`aixin login`, `logout` and `whoami`: the session in data_dir/session.json (mode 0600) that
later commands act as until its token expires (`services.cli.credentials` says who acts when)."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import httpx
import typer

from services.cli.common import DataDir, console, data_directory, fail, get_json, resolve
from services.cli.credentials import SESSION_FILE, AccessDenied, Auth, write_private


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True)
    if not password:
        raise typer.BadParameter("the password is empty")
    return password


PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="read the password from standard input")]


def login(username: str, password_stdin: PasswordStdin = False,
          data_dir: DataDir = None) -> None:
    """Sign in as an account; later commands act as it until its token expires or 'aixin logout'."""
    directory, info = resolve(data_dir)
    auth = Auth(info.http_url, username, password=read_password(password_stdin))
    try:
        headers = auth.headers()
        me = httpx.get(info.http_url + "/auth/me", headers=headers, timeout=30).json()
    except (AccessDenied, ConnectionError, httpx.HTTPError) as error:
        fail(str(error), 1)
    write_private(directory / SESSION_FILE, {"username": username, "access_token": auth.token,
                                             "expires_at": auth.expires_at})
    until = time.strftime("%H:%M", time.localtime(auth.expires_at))
    console.print(f"signed in as {username} ({', '.join(me['roles'])}; office {me['office']}) until {until}; "
                  f"'aixin logout' to sign out", highlight=False)


def logout(data_dir: DataDir = None) -> None:
    """Forget the session of 'aixin login' (commands then act with credential.json, if there is one)."""
    session = data_directory(data_dir) / SESSION_FILE
    if not session.exists():
        console.print("not signed in")
        return
    username = json.loads(session.read_text()).get("username", "?")
    session.unlink()
    console.print(f"signed out ({username})")


def whoami(data_dir: DataDir = None) -> None:
    """The account commands act as: its office and roles."""
    me = get_json(data_dir, "/auth/me")
    console.print(f"{me['username']}: {', '.join(me['roles'])}; office {me['office']} ({me['level']})",
                  highlight=False)
