"""CPU time per command, by process of the platform, read from /proc (Linux).

A process's CPU time is the user and system time the kernel has charged to it (`utime` and `stime`
in /proc/<pid>/stat, in clock ticks of `SC_CLK_TCK`, all its threads together, its children not
counted). The bench's client reads the platform's processes just before and just after its timed
commands, so neither the client's own start nor its sign-in is in the figure; the difference
divided by the commands sent is the CPU each command cost each process. The log followers are read
from the same start (the bench waits until they have applied everything before each run) until they
have applied the run's last event, which is after the last reply.

The platform's processes are its main process (the command services, and the HTTP API while it runs
there), each child process it started (named by its spec: the log followers, the import worker and
any other a platform lays out) and the embedded nats-server. The log followers' work comes after the
acknowledgement (the read models), so the "command path" total leaves them out; "everything" does not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from services.platform.children import FOLLOWERS

PROC = Path("/proc")
MAIN = "main process"
NATS_SERVER = "nats-server"


@dataclass(frozen=True)
class Watched:
    """A process of the platform: its name in the table, its pid, and whether a command waits for it."""

    name: str
    pid: int
    on_command_path: bool


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds of `pid` so far; None where it is gone or there is no /proc."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The second field, the command name in parentheses, may itself hold spaces and parentheses.
    fields = stat[stat.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5), counted from 1
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def measurable() -> str | None:
    """Why CPU per process cannot be measured here, or None when it can."""
    if cpu_seconds(os.getpid()) is None:
        return "no /proc/<pid>/stat on this system (Linux only)"
    return None


def platform_processes(platform) -> list[Watched]:
    """The processes of a running `Platform`, this one (its main process) first."""
    api_apart = any("api" in child.spec.services for child in platform.running_children)
    main = f"{MAIN} (command services{'' if api_apart else ', HTTP API'})"
    watched, taken = [Watched(main, os.getpid(), True)], {main}
    for child in platform.running_children:
        if child.process is None or child.process.poll() is not None:
            continue
        name = _unique(child.spec.name, taken)
        follower = bool(set(child.spec.services) & set(FOLLOWERS.services))
        watched.append(Watched(name, child.process.pid, not follower))
    server = getattr(platform, "embedded", None)
    if server is not None and server.process is not None:
        watched.append(Watched(_unique(NATS_SERVER, taken), server.process.pid, True))
    return watched


def _unique(name: str, taken: set[str]) -> str:
    number, found = 2, name
    while found in taken:
        found, number = f"{name} ({number})", number + 1
    taken.add(found)
    return found


def read_all(watched: list[Watched]) -> dict[str, float | None]:
    return {w.name: cpu_seconds(w.pid) for w in watched}


def per_command(watched: list[Watched], before: dict, after: dict, commands: int) -> dict:
    """CPU milliseconds per command by process, the command path's total and everything's; a process
    that went away between the readings is left out and named in "gone"."""
    by_process, gone = {}, []
    for w in watched:
        if before.get(w.name) is None or after.get(w.name) is None:
            gone.append(w.name)
            continue
        by_process[w.name] = (after[w.name] - before[w.name]) * 1000 / max(commands, 1)
    path = [w.name for w in watched if w.on_command_path and w.name in by_process]
    return {"processes": by_process, "command_path_processes": path,
            "command_path": sum(by_process[name] for name in path),
            "everything": sum(by_process.values()), "gone": gone, "commands": commands}
