"""`aixin bench`: how far the command path, the read side and the rebuilds are from what JetStream
itself can do, and from a peer (pyeventsourcing on PostgreSQL, of the same durability, and on SQLite
as a reference) doing the same work, in one run, each figure set against the goal that names it.

Everything runs on a fresh temporary data dir, through a real `Platform` laid out as `aixin up` lays
it out (embedded nats-server; command services and the HTTP API in this process; log followers and
an import worker in child processes). The clients run in processes of their own
(`tooling.bench.client`), as an operator's CLI does, so that their work is not taken from the
platform's. The raw baselines use the same server with the same settings (file storage,
`sync_interval: always`, so every append is fsynced) and the same client library: publishing to a
stream of its own with 64 and 1 in flight, and an ordered consumer reading the platform's stream
from its first event to its last. Each timed command run also reads the CPU time every process of
the platform spent on it (`tooling.bench.cpu`) and every command's own latency.
Timings are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from pathlib import Path

from rich.console import Console

from contracts.regions import NATIONAL
from contracts.subjects import STREAM
from services.cli.client import AdminClient
from services.pairing.matching.engine import batch as batch_proposal
from services.platform.children import UP_CHILDREN
from services.platform.embedded_nats import free_port, server_binary, server_version
from services.platform.event_loop import loop_name
from services.platform.nats_permissions import ADMIN
from services.platform.runtime import Platform
from services.platform.settings import Settings
from services.projections import all_projections
from tooling.bench.client import (COMMUNITY, TRAINED_PER_COMMAND, VISIBLE_PER_SECOND, command, in_own_process, percentile, send_commands,
                                       stats_reads, visible_after_ack)
from tooling.bench.cpu import measurable, per_command, platform_processes, read_all
from tooling.bench.goals import goals
from tooling.bench.raw import EVENT_BYTES, raw_publish_seconds
from tooling.bench.replays import caught_up, ordered_read_rate, region_events, replay
from tooling.bench.report import ratios, report
from tooling.common import IN_FLIGHT, wait_for_read_models
from tooling.synthetic.district import district_snapshot

# The timed command runs that goals name: (figure, kind, in flight, over, run); the first four
# register children, the rest pair them with the volunteers recruited in between.
COMMAND_RUNS = (("register", "register", 1, "http", "h1"), ("register_64", "register", IN_FLIGHT, "http", "h64"),
                ("register_nats", "register", 1, "nats", "n1"),
                ("register_nats_64", "register", IN_FLIGHT, "nats", "n64"),
                ("form_pair", "form_pair", 1, "http", "h1"), ("form_pair_64", "form_pair", IN_FLIGHT, "http", "h64"),
                ("form_pair_nats", "form_pair", 1, "nats", "n1"),
                ("form_pair_nats_64", "form_pair", IN_FLIGHT, "nats", "n64"))
# The community's office and every one above it: a stats read at each of the six levels.
LEVEL_CODES = {"national": NATIONAL, "province": "440000000000", "city": "440100000000",
               "district": "440105000000", "street": "440105001000", "community": COMMUNITY}


async def run_bench(events: int, commands: int, console: Console, imports: int = 0, peer: bool = False,
                    visible_samples: int = 50, stats_samples: int = 100, each_model: bool = True,
                    peer_pg_url: str | None = None) -> dict:
    # FastStream logs every message at the broker's log_level (WARNING in runtime.py), which would
    # bury the figures under two lines per command.
    access_log, quiet = logging.getLogger("faststream.access.nats"), lambda r: r.levelno >= logging.ERROR
    access_log.addFilter(quiet)
    with tempfile.TemporaryDirectory(prefix="aixin-bench-") as tmp:
        platform = Platform(Settings(data_dir=Path(tmp), http_port=free_port()), children=UP_CHILDREN)
        try:
            await platform.start()
            bench = _Bench(platform, console, events, commands, imports)
            figures = await bench.measure(visible_samples, stats_samples, each_model)
        finally:
            await platform.stop()
            access_log.removeFilter(quiet)
    if peer:
        figures.update(await _peer(commands, console, peer_pg_url))
    figures["ratios"] = ratios(figures)
    figures["goals"] = goals(figures)
    report(figures, console)
    return figures


class _Bench:
    def __init__(self, platform: Platform, console: Console, events: int, commands: int, imports: int) -> None:
        self.platform, self.console = platform, console
        self.events, self.commands, self.imports = events, commands, imports
        self.data_dir = platform.settings.data_dir
        self.one_at_a_time = max(commands // 10, 10)
        self.refused = 0
        self.cpu_unmeasurable = measurable()
        self.figures: dict = {}

    async def measure(self, visible_samples: int, stats_samples: int, each_model: bool) -> dict:
        platform, f = self.platform, self.figures
        nc = self.nc = await platform.connect(ADMIN)  # the raw baseline's stream is the admin's to create
        version = ".".join(map(str, server_version(server_binary())))
        sync = "always (fsync before every ack)" if platform.embedded.sync_always else "server default"
        self.console.print(f"[bold]aixin bench[/bold] — nats-server {version}, JetStream file storage, "
                           f"sync_interval: {sync}; the raw baselines use the same server and settings; "
                           f"event loop: {loop_name()}")
        f.update(nats_server=version, sync_always=platform.embedded.sync_always, event_loop=loop_name())
        f["raw_publish_per_s"] = self.events / await raw_publish_seconds(nc, self.events, IN_FLIGHT)
        took: list[float] = []
        f["raw_publish_1_per_s"] = self.events / await raw_publish_seconds(nc, self.events, 1, took)
        f["raw_publish_1_p50_ms"] = percentile(took, 0.5)
        async with AdminClient(platform.embedded.url, self.data_dir) as admin:
            self.admin = admin
            await self._commands()
            if self.imports:
                await self._import_and_visible(admin, visible_samples)
            await self._visible(admin, visible_samples)
            await self._top_up(admin)
            f["raw_ordered_read_per_s"] = await ordered_read_rate(nc)
            await self._rebuilds(admin, each_model)
        f["stats_query_ms"] = await self._stats_queries(stats_samples)
        f["stats_query_p50_ms"] = max(v["p50"] for v in f["stats_query_ms"].values())
        f["stats_query_p99_ms"] = max(v["p99"] for v in f["stats_query_ms"].values())
        snapshot = district_snapshot(2000, 2500)
        started = time.perf_counter()
        batch_proposal(snapshot)
        f["batch_match_2000x2500_seconds"] = time.perf_counter() - started
        state = (await nc.jetstream().stream_info(STREAM)).state
        f.update(log_events=state.messages, log_bytes_per_event=state.bytes // max(state.messages, 1),
                 raw_payload_bytes=EVENT_BYTES, refused=self.refused)
        return f

    async def _send(self, kind: str, count: int, in_flight: int, via: str, run: str, total: int = 0,
                    key: str = "") -> float:
        """Commands/s of one run; with a `key` (the figure's name), its p50 latency and CPU per command
        by platform process too."""
        watched = tuple(platform_processes(self.platform)) if key and not self.cpu_unmeasurable else ()
        if watched:  # no backlog of an earlier run in this one's CPU
            await caught_up(self.nc, self.admin)
        sent = await in_own_process(send_commands, self.data_dir, kind, count, in_flight, via, run, total, watched)
        self.refused += sent["refused"]
        if sent["refused"]:
            self.console.print(f"{sent['refused']} of {count} {kind} commands ({run}) refused, e.g.: "
                               f"{sent['why'][0]}", highlight=False)
        if key:
            self.figures[f"{key}_p50_ms"] = sent["p50_ms"]
        if watched:
            # The log followers' work for these commands goes on after the last reply: they are read
            # once they have applied the run's last event.
            followers = [w for w in watched if not w.on_command_path]
            after = {**sent["cpu"]["after"], **(read_all(followers) if await caught_up(self.nc, self.admin) else {})}
            self.figures["cpu_ms_per_command"][key] = per_command(list(watched), sent["cpu"]["before"], after, count)
        return count / sent["seconds"]

    async def _commands(self) -> None:
        f, n, one = self.figures, self.commands, self.one_at_a_time
        f["cpu_ms_per_command"] = {}
        if self.cpu_unmeasurable:
            f["cpu_unmeasured"] = self.cpu_unmeasurable
        for key, kind, in_flight, via, run in COMMAND_RUNS[:4]:
            f[f"{key}_per_s"] = await self._send(kind, one if in_flight == 1 else n, in_flight, via, run, key=key)
        # Volunteers for the pairs (timed too, but no goal names them).
        for run, count in (("h1", one), ("n1", one), ("h64", n), ("n64", n)):
            f[f"recruit_{run}_per_s"] = await self._send("recruit", count, IN_FLIGHT, "nats", run)
            await self._send("train", -(-count // TRAINED_PER_COMMAND), 4, "nats", run, total=count)
        for key, kind, in_flight, via, run in COMMAND_RUNS[4:]:
            f[f"{key}_per_s"] = await self._send(kind, one if in_flight == 1 else n, in_flight, via, run, key=key)

    async def _import_and_visible(self, admin: AdminClient, samples: int) -> None:
        """The import's rate, and a command's time to visible while the import runs."""
        from tooling.bench.imports import import_in_own_process
        from tooling.synthetic.children import synthetic_children

        listing = synthetic_children(self.imports, bad_share=0.01, seed=7)
        path = listing.write_csv(self.data_dir / "bench-children.csv")
        importing = asyncio.ensure_future(in_own_process(import_in_own_process, self.data_dir, path))
        await asyncio.sleep(0.5)  # the list is being read and sent
        during = await in_own_process(visible_after_ack, self.data_dir, samples, VISIBLE_PER_SECOND, "vi")
        rows, seconds = await importing
        self.figures["import_rows_per_s"] = rows / seconds
        self.figures["visible_import_p50_ms"] = percentile(during, 0.5)
        self.figures["visible_import_p99_ms"] = percentile(during, 0.99)
        started = time.perf_counter()
        await wait_for_read_models(admin, timeout=3600)
        self.figures["read_models_lag_after_import_s"] = time.perf_counter() - started

    async def _visible(self, admin: AdminClient, samples: int) -> None:
        await wait_for_read_models(admin, timeout=3600)
        found = await in_own_process(visible_after_ack, self.data_dir, samples, VISIBLE_PER_SECOND, "v")
        self.figures["visible_p50_ms"] = percentile(found, 0.5)
        self.figures["visible_p99_ms"] = percentile(found, 0.99)

    async def _top_up(self, admin: AdminClient) -> None:
        """The rebuilds must cover at least `events` events; the top-up is not timed."""
        missing = self.events - await region_events(self.platform)
        if missing > 0:
            await self._send("register", missing, IN_FLIGHT, "nats", "top")
        await wait_for_read_models(admin, timeout=3600)  # a rebuild stops where the live one stands

    async def _rebuilds(self, admin: AdminClient, each_model: bool) -> None:
        f = self.figures
        f["rebuild_per_s"] = {}
        for name in (p.name for p in all_projections()) if each_model else ():
            report = (await replay(admin, [name]))[0]
            f["rebuild_per_s"][name] = report["events"] / report["seconds"]
        reports = await replay(admin, [])
        f["rebuild_all_per_s"] = reports[0]["events"] / reports[0]["seconds"]
        f["rebuild_all_events"] = reports[0]["events"]
        f["rebuild_all_equal"] = all(r["equal"] for r in reports)

    async def _stats_queries(self, samples: int) -> dict:
        timings = await in_own_process(stats_reads, self.data_dir, list(LEVEL_CODES.values()), samples)
        return {level: {"p50": percentile(timings[code], 0.5), "p99": percentile(timings[code], 0.99)}
                for level, code in LEVEL_CODES.items()}


def peer_child(i: int):
    return command("register", i, "peer")


async def _peer(count: int, console: Console, pg_url: str | None) -> dict:
    """The peer of the same durability (PostgreSQL), where one answers, and SQLite's as a reference."""
    from tooling.bench.peer import peer_baseline_async
    from tooling.bench.peer_pg import pg_peer_baseline_async, peer_pg_url, shown

    url = peer_pg_url(pg_url)
    console.print(f"peer: pyeventsourcing on PostgreSQL ({shown(url)}) registering {count} children one at a "
                  f"time and {count} from {IN_FLIGHT} threads, then rebuilding the six-level counts", highlight=False)
    found = await pg_peer_baseline_async(count, peer_child, url)
    if "peer_pg_skipped" in found:
        console.print(f"peer on PostgreSQL skipped: {found['peer_pg_skipped']}", highlight=False)
    console.print(f"peer: pyeventsourcing on SQLite (a reference) registering {count} children, then rebuilding")
    return {**found, **await peer_baseline_async(count, peer_child)}
