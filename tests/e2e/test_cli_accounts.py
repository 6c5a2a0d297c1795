"""Accounts end to end: `aixin up` in a subprocess, accounts made with `aixin users`, tokens from
POST /auth/token, reads scoped to the account's office (names only for caseworkers), commands
recorded with the account that sent them, `aixin login`/`logout`, the access log, disabling, and
the lockout after repeated wrong passwords — every refusal one line, never a traceback."""

from __future__ import annotations

import json
import stat
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_end_to_end import Up, aixin

pytestmark = pytest.mark.e2e
CHILD = {"region": "440105001101", "name": "李小明", "sex": "male", "birth_date": "2016-03-08",
         "category": "left_behind"}


def refused(result: subprocess.CompletedProcess, *words: str) -> str:
    """A refusal: exit code 1, one line naming why, no traceback."""
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1, out
    assert "Traceback" not in out and out.startswith("error:"), out
    for word in words:
        assert word in out, out
    return out


def bearer(up: Up, username: str, password: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {up.token(username, password)}"}


def wait_for(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return result


@pytest.fixture
def up(tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    running = Up(data_dir).start()
    yield running
    running.stop()


def test_an_account_reads_its_subtree_and_acts_as_itself(up: Up) -> None:
    data_dir, url = up.data_dir, up.url
    assert stat.S_IMODE((data_dir / "credential.json").stat().st_mode) == 0o600
    added = aixin(data_dir, "users", "add", "gd44", "--office", "44", "--role", "caseworker", "--password-stdin",
                  input="pw-44-secret\n")
    assert "created gd44" in added.stdout and "pw-44-secret" not in added.stdout
    aixin(data_dir, "users", "add", "view44", "--office", "44", "--role", "viewer", "--password-stdin",
          input="pw-view-44\n")
    listed = json.loads(aixin(data_dir, "users", "list", "--json").stdout)
    roles = {a["username"]: a["roles"] for a in listed["accounts"]}
    assert (roles["gd44"], roles["view44"]) == (["caseworker"], ["viewer"])

    token = httpx.post(f"{url}/auth/token", data={"username": "gd44", "password": "pw-44-secret"}, timeout=30)
    assert token.status_code == 200 and token.json()["token_type"] == "bearer"
    gd44 = {"Authorization": f"Bearer {token.json()['access_token']}"}
    wrong = httpx.post(f"{url}/auth/token", data={"username": "gd44", "password": "nope"}, timeout=30)
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text

    # A command with gd44's token: no actor in the body, gd44 in the log.
    created = httpx.post(f"{url}/commands/intake/register_child", json=CHILD, headers=gd44, timeout=30)
    assert created.status_code == 201, created.text
    child_id = created.json()["child_id"]
    history = json.loads(aixin(data_dir, "history", "child", child_id, "--json").stdout)
    actor = history["events"][0]["actor"]
    assert (actor["operator_id"], actor["region"], actor["role"]) == ("gd44", "440000000000", "caseworker")
    assert "gd44 (caseworker, province 440000000000)" in aixin(data_dir, "history", "child", child_id).stdout
    with_actor = httpx.post(f"{url}/commands/intake/register_child", headers=gd44, timeout=30,
                            json={**CHILD, "actor": {"operator_id": "someone", "level": "national", "region": "CN"}})
    assert with_actor.status_code == 422  # who acted is never the client's to say

    def children_of_44(headers):
        response = httpx.get(f"{url}/regions/44/children", headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["children"]

    rows = wait_for(lambda: children_of_44(gd44))
    assert [row["name"] for row in rows] == ["李小明"]
    for path in ("/regions/11/children", "/regions/CN/stats"):
        assert httpx.get(url + path, headers=gd44, timeout=30).status_code == 403
    for path in ("/regions/44/children", "/regions/CN/stats"):
        assert httpx.get(url + path, timeout=30).status_code == 401

    viewer = bearer(up, "view44", "pw-view-44")
    stats = httpx.get(f"{url}/regions/44/stats", headers=viewer, timeout=30)
    assert stats.status_code == 200 and stats.json()["children_registered"] == 1
    assert all("name" not in row for row in children_of_44(viewer))
    assert httpx.get(f"{url}/regions/CN/stats", headers=viewer, timeout=30).status_code == 403

    # Every read of names is in the access log; an admin reads it with `aixin audit access`.
    audit = json.loads(aixin(data_dir, "audit", "access", "--account", "gd44", "--json").stdout)
    assert {(e["username"], e["child_id"]) for e in audit["entries"]} == {("gd44", child_id)}
    assert json.loads(aixin(data_dir, "audit", "access", "--child-id", child_id, "--json").stdout)["entries"]
    assert "view44" not in aixin(data_dir, "audit", "access", "--json").stdout  # no names, nothing logged

    # `aixin doctor` finds nothing unreadable in a clean log, and says so with exit code 0.
    assert "no unreadable message in the log of CN" in " ".join(aixin(data_dir, "doctor").stdout.split())
    assert json.loads(aixin(data_dir, "doctor", "--json").stdout)["unreadable"] == []


def test_login_logout_and_refusals_through_the_cli(up: Up, tmp_path: Path) -> None:
    data_dir = up.data_dir
    aixin(data_dir, "users", "add", "gd44", "--office", "44", "--role", "caseworker", "--password-stdin",
          input="pw-44-secret\n")
    signed_in = aixin(data_dir, "login", "gd44", "--password-stdin", input="pw-44-secret\n")
    assert "signed in as gd44" in signed_in.stdout
    session = data_dir / "session.json"
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert "pw-44-secret" not in session.read_text()  # a token, not the password
    assert "gd44: caseworker; office 440000000000" in aixin(data_dir, "whoami").stdout

    # Commands of the CLI act as gd44: an import, every row recorded with gd44.
    listing = tmp_path / "list.csv"
    listing.write_text("姓名,性别,出生日期,类别,区划代码\n王小红,女,2015-04-01,留守儿童,440105001101\n"
                       "张小华,女,2015-04-01,留守儿童,510623100004\n", encoding="utf-8")
    imported = " ".join(aixin(data_dir, "import", "children", str(listing)).stdout.split())
    assert "registered 1" in imported and "bad rows 1" in imported, imported  # Sichuan is outside gd44's office
    rows = wait_for(lambda: [r for r in json.loads(aixin(data_dir, "children", "44", "--json").stdout)["children"]
                             if r["name"] == "王小红"])
    history = json.loads(aixin(data_dir, "history", "child", rows[0]["child_id"], "--json").stdout)
    assert history["events"][0]["actor"]["operator_id"] == "gd44"

    refused(aixin(data_dir, "stats", "CN", check=False), "forbidden", "outside gd44's office")
    refused(aixin(data_dir, "users", "list", check=False), "forbidden", "admin")
    assert "signed out (gd44)" in aixin(data_dir, "logout").stdout
    assert not session.exists()
    assert "admin:" in aixin(data_dir, "whoami").stdout  # credential.json of `aixin up` again
    assert "not signed in" in aixin(data_dir, "logout").stdout

    # A disabled account's session stops working at once.
    aixin(data_dir, "login", "gd44", "--password-stdin", input="pw-44-secret\n")
    session_text = session.read_text()
    session.unlink()
    assert "disabled gd44" in aixin(data_dir, "users", "disable", "gd44").stdout
    session.write_text(session_text)
    refused(aixin(data_dir, "stats", "44", check=False), "disabled")
    aixin(data_dir, "logout")

    refused(aixin(data_dir, "login", "gd44", "--password-stdin", input="wrong\n", check=False),
            "cannot sign in as gd44", "wrong username or password")
    for _ in range(5):
        aixin(data_dir, "login", "nobody", "--password-stdin", input="wrong\n", check=False)
    refused(aixin(data_dir, "login", "nobody", "--password-stdin", input="wrong\n", check=False), "wait a minute")

    # An expired session is said to be expired; the command does not act as anyone else.
    session.write_text(json.dumps({"username": "gd44", "access_token": "x", "expires_at": time.time() - 1}))
    refused(aixin(data_dir, "stats", "44", check=False), "session of gd44 has expired")
