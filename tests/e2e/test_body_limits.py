"""400 MB bodies against `aixin up` in a subprocess, from a client that streams them: anonymously
(401), with a token that is no token (401) and with the national admin's token (413), to the
account routes and to a command, with a declared length and chunked. The server answers before it
reads the body, and its process's resident memory (VmRSS, and its peak VmHWM) grows by less than
20 MB over all of them."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_end_to_end import Up

pytestmark = pytest.mark.e2e
ATTEMPT = 400 << 20  # bytes each client offers
CHUNK = 1 << 20
MOST_GROWTH = 20 << 20
ROUTES = ["/accounts", "/accounts/nobody1/password", "/accounts/nobody1/roles", "/commands/intake/register_child"]


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {name: int(fields[name].split()[0]) * 1024 for name in ("VmRSS", "VmHWM")}


def stream(address: str, path: str, headers: dict[str, str], chunked: bool) -> tuple[int, int]:
    """POST `ATTEMPT` bytes to `path`, sending until the server answers; (its status, bytes sent)."""
    host, port = address.split(":")
    sock = socket.create_connection((host, int(port)))
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(ATTEMPT)}
    head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": address, "Content-Type": "application/json",
                                                  **headers, **framing}.items())
    sock.sendall(f"POST {path} HTTP/1.1\r\n{head}\r\n".encode())
    sent = 0
    piece = (b"%x\r\n" % CHUNK + b" " * CHUNK + b"\r\n") if chunked else b" " * CHUNK

    def send() -> None:
        nonlocal sent
        try:
            while sent < ATTEMPT:
                sock.sendall(piece)
                sent += CHUNK
        except OSError:  # the server answered and closed, or we did
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    sock.settimeout(60)
    while b"\r\n" not in answer:
        got = sock.recv(4096)
        if not got:
            break
        answer += got
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    sender.join(10)
    return int(answer.split(b" ", 2)[1]), sent


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    up = Up(tmp_path_factory.mktemp("limits") / "data").start()
    try:
        yield up
    finally:
        up.stop()


def test_large_bodies_are_refused_before_they_are_read(platform: Up) -> None:
    admin = platform.headers()
    pid = platform.process.pid
    httpx.post(f"{platform.url}/accounts", headers=admin, json={  # warm the routes up
        "username": "nobody1", "office": "44", "roles": ["viewer"], "password": "long enough password"})
    before = memory(pid)
    answers = []
    for path in ROUTES:
        for who, headers, expected in (("anonymous", {}, 401),
                                       ("a forged token", {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"}, 401),
                                       ("the admin", admin, 413)):
            for chunked in (False, True):
                status, sent = stream(platform.http, path, headers, chunked)
                answers.append((path, who, chunked, status, sent))
                assert status == expected, (path, who, chunked, status)
                assert sent < ATTEMPT // 4, f"{path}: {sent} bytes sent before an answer"
    time.sleep(0.5)
    after = memory(pid)
    growth = {name: after[name] - before[name] for name in after}
    for path, who, chunked, status, sent in answers:
        print(f"{path:36} {who:15} {'chunked' if chunked else 'declared':8} {status}  "
              f"{sent >> 20} MB of {ATTEMPT >> 20} MB sent before the answer")
    print(f"server process {pid}: VmRSS {before['VmRSS'] >> 20} -> {after['VmRSS'] >> 20} MB, "
          f"VmHWM {before['VmHWM'] >> 20} -> {after['VmHWM'] >> 20} MB")
    assert growth["VmRSS"] < MOST_GROWTH and growth["VmHWM"] < MOST_GROWTH, growth
    still = httpx.get(f"{platform.url}/accounts", headers=admin, timeout=30)  # and it serves on
    assert still.status_code == 200 and "nobody1" in still.text
