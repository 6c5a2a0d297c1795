"""Node.js for the tests of tests/js/ (the official AsyncAPI parser, the NATS JavaScript client).

Without node and npm those tests skip, saying why — except under CI=true, where they fail: there
the other stack's checks must run. `npm ci` runs once per session, and not at all while
node_modules was installed from the committed package-lock.json; test processes running side by
side (pytest-xdist's workers) take turns at it, so one installs and the others find it done.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

JS_DIR = Path(__file__).parent / "js"
_STAMP = JS_DIR / "node_modules" / ".installed-from-lock"


def node_or_skip() -> str:
    """The node executable, once tests/js/node_modules is installed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        reason = "node and npm are not on PATH: the checks of tests/js/ need Node.js 20+"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: they must run)")
        pytest.skip(reason)
    _npm_ci(npm)
    return node


@cache
def _npm_ci(npm: str) -> None:
    lock = hashlib.sha256((JS_DIR / "package-lock.json").read_bytes()).hexdigest()
    with open(JS_DIR / ".npm-ci.lock", "w") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)
        if _STAMP.exists() and _STAMP.read_text() == lock:
            return
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"npm ci in {JS_DIR} failed:\n{done.stdout}\n{done.stderr}"
        _STAMP.write_text(lock)


def run_node(script: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([node_or_skip(), str(JS_DIR / script), *args], cwd=JS_DIR, capture_output=True,
                          text=True, timeout=timeout)
