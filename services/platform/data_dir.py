"""The data dir belongs to one platform at a time, and only to its user.

A second `aixin up` on a data dir in use must not take it over: it would stop the first one's
nats-server as if it were left over from a crash and overwrite its runtime file. An advisory lock
(`flock`) held for the platform's lifetime says the dir is in use; the kernel drops it when the
process ends however it ends, so a crashed platform's dir is free again at once. Child processes
do not inherit it (subprocess closes other descriptors).

The dir holds the key store, the credential store, the signing key and the read models: it is made
0700 and every file in it 0600, and the platform creates files with umask 077 from then on.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
from pathlib import Path

from services.platform.settings import RUNTIME_FILE

LOCK_FILE = "aixin.lock"
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


class DataDirInUse(OSError):
    def __init__(self, data_dir: Path, holder: str) -> None:
        super().__init__(errno.EBUSY, f"data dir {data_dir} is in use by a running aixin ({holder}); "
                                      f"stop it first, or choose another --data-dir")

    def __str__(self) -> str:
        return self.strerror


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._fd: int | None = None

    def acquire(self) -> None:
        make_private(self.data_dir)
        fd = os.open(self.data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirInUse(self.data_dir, _holder(self.data_dir)) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the lock
            self._fd = None


def make_private(data_dir: Path) -> None:
    """0700 for the dir, 0600 for what is in it (also files an earlier version left readable), and
    umask 077 for what this process creates from now on (SQLite's -wal and -shm files included)."""
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, PRIVATE_DIR)
    for path in data_dir.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)


def _holder(data_dir: Path) -> str:
    """Who holds the dir, as its runtime file tells (pid, NATS and HTTP addresses)."""
    pid = (data_dir / LOCK_FILE).read_text().strip() or "?"
    try:
        info = json.loads((data_dir / RUNTIME_FILE).read_text())
    except (OSError, ValueError):
        return f"pid {pid}"
    return f"pid {info.get('pid', pid)}, NATS {info.get('nats_url')}, HTTP {info.get('http_url')}"


def write_private(path: Path, text: str) -> None:
    """Written through a descriptor opened 0600, never readable by others even for a moment."""
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.chmod(path, PRIVATE_FILE)
