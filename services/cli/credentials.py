"""Who the `aixin` command acts as: credentials in the data dir, and bearer tokens from them.

`credential.json` holds the national admin's password (written by the first `aixin up`);
`session.json` a token from `aixin login` (mode 0600). Every command uses the session's token while
it is valid; without a session it signs in with `credential.json`. A session that has expired is
said to have expired — the command never falls back to another account. A token obtained with a
password (credential.json, the demo's accounts) is renewed when it runs out.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CREDENTIAL_FILE = "credential.json"
SESSION_FILE = "session.json"
RENEW_MARGIN = 30.0  # seconds before expiry at which a token is treated as expired
MAX_SAID = 500  # characters of an error answer shown


class AccessDenied(RuntimeError):
    """401, 403 or 429: one line that says why, and what to do."""


def write_private(path: Path, content: dict) -> None:
    """Write JSON readable by its owner only (0600 from the moment it exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(content, out, ensure_ascii=False, indent=2)


def detail_of(response: httpx.Response) -> str:
    """The one line an error answer says: its `message` (services.api.errors), else what an older
    API put under `detail`, else the text (a proxy's HTML page, say) on one line, cut short."""
    return " ".join(_said(response).split())[:MAX_SAID] or f"HTTP {response.status_code}"


def _said(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text or response.reason_phrase
    if not isinstance(body, dict):
        return response.text
    if isinstance(body.get("message"), str) and "code" in body:
        return body["message"]
    detail = body.get("detail", response.text)
    if isinstance(detail, dict):
        return detail.get("message", json.dumps(detail, ensure_ascii=False))
    if isinstance(detail, list):  # validation errors: where and what
        return "; ".join(f"{'.'.join(str(p) for p in d.get('loc', []) if p != 'body')}: {d.get('msg')}"
                         if isinstance(d, dict) else str(d) for d in detail)
    return detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)


def denied(response: httpx.Response, username: str) -> AccessDenied:
    detail = detail_of(response)
    if response.status_code == 401:
        return AccessDenied(f"{detail} (as {username}); sign in with 'aixin login USERNAME --password-stdin'")
    if response.status_code == 429:
        return AccessDenied(f"{detail} (as {username}); wait a minute before trying again")
    return AccessDenied(f"forbidden: {detail}" if username in detail else f"forbidden (as {username}): {detail}")


@dataclass
class Auth:
    """One account's bearer token, obtained (and renewed, given a password) by POST /auth/token."""

    http_url: str
    username: str
    password: str | None = None
    token: str | None = None
    expires_at: float = 0.0
    source: str = ""  # where the credentials came from, for messages
    _lock: asyncio.Lock | None = field(default=None, repr=False)
    _refused: AccessDenied | None = field(default=None, repr=False)  # a sign-in refused: not tried again

    @property
    def valid(self) -> bool:
        return self.token is not None and time.time() < self.expires_at - RENEW_MARGIN

    def _form(self) -> dict:
        if self.password is None:
            raise AccessDenied(f"the session of {self.username} has expired; sign in again with "
                               f"'aixin login {self.username} --password-stdin' (or 'aixin logout')")
        return {"username": self.username, "password": self.password}

    def _take(self, response: httpx.Response) -> str:
        if response.status_code == 429:
            raise denied(response, self.username)
        if response.status_code != 200:
            where = f" with {self.source}" if self.source else ""
            status = "" if response.status_code == 401 else f" (HTTP {response.status_code})"
            raise AccessDenied(f"cannot sign in as {self.username}{where}: {detail_of(response)}{status}")
        body = response.json()
        self.token, self.expires_at = body["access_token"], time.time() + float(body["expires_in"])
        return self.token

    def headers(self, renew: bool = False) -> dict[str, str]:
        if renew or not self.valid:
            try:
                self._take(httpx.post(self.http_url + "/auth/token", data=self._form(), timeout=30))
            except httpx.HTTPError as error:
                raise ConnectionError(f"cannot reach {self.http_url} ({error}); is 'aixin up' running?") from None
        return {"Authorization": f"Bearer {self.token}"}

    async def aheaders(self, http: httpx.AsyncClient, renew: bool = False) -> dict[str, str]:
        """The same for many requests in flight: one sign-in, not one per request."""
        self._lock = self._lock or asyncio.Lock()
        stale = self.token
        if renew or not self.valid:
            async with self._lock:
                if self._refused:
                    raise self._refused
                if self.token == stale and (renew or not self.valid):
                    try:
                        self._take(await http.post(self.http_url + "/auth/token", data=self._form(), timeout=30))
                    except AccessDenied as error:
                        self._refused = error
                        raise
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def renewable(self) -> bool:
        return self.password is not None


def current(data_dir: Path, http_url: str) -> Auth:
    """The session of `aixin login` if there is one, else the credential of `aixin up`."""
    session = data_dir / SESSION_FILE
    if session.exists():
        saved = json.loads(session.read_text())
        return Auth(http_url, saved["username"], token=saved["access_token"], expires_at=saved["expires_at"],
                    source=str(session))
    credential = data_dir / CREDENTIAL_FILE
    if credential.exists():
        saved = json.loads(credential.read_text())
        return Auth(http_url, saved["username"], password=saved["password"], source=str(credential))
    raise AccessDenied(f"not signed in: no {SESSION_FILE} or {CREDENTIAL_FILE} in {data_dir}; sign in with "
                       f"'aixin login USERNAME --password-stdin'")
