"""`aixin bench`: how far the command path and the replay are from what JetStream itself can do.

Everything runs on a fresh temporary data dir, through a real `Platform` laid out as `aixin up` lays
it out (embedded nats-server; command services and the HTTP API in this process; log followers and
an import worker in child processes), so the figures include every layer: commands and the import go
over the HTTP API as the platform's admin (credential.json), as every client's do. The import runs
in a process of its own, as `aixin import` does. The baseline publishes to
its own stream on the SAME server with the SAME settings (file storage, `sync_interval: always`,
so every append is fsynced), the same client library and the same concurrency as the command path.
Timings are printed, never asserted: they depend on the machine and above all on its fsync.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from contracts.intake import (
    ChildCategory,
    ChildSubtype,
    Guardian,
    GuardianRelation,
    RegisterChild,
    Sex,
)
from contracts.subjects import ACCOUNT_EVENTS, STREAM
from services.cli.bench_raw import EVENT_BYTES, raw_publish_seconds, timed
from services.cli.client import SIGNED_IN, AdminClient, Connection, HttpCommands
from services.cli.demo import IN_FLIGHT, wait_for_read_models
from services.cli.credentials import current
from services.pairing.matching.engine import batch as batch_proposal
from services.pairing.matching.synthetic import district_snapshot
from services.platform.children import UP_CHILDREN
from services.platform.embedded_nats import free_port, server_binary, server_version
from services.platform.nats_permissions import ADMIN
from services.platform.runtime import Platform
from services.platform.settings import RuntimeInfo, Settings
from services.projections.admin import REPLAY

COMMUNITY = "440105001101"  # 下渡社区, 赤岗街道, 海珠区: children register at community level


async def run_bench(events: int, commands: int, console: Console, imports: int = 0) -> dict:
    # FastStream logs every message at the broker's log_level (WARNING in runtime.py), which would
    # bury the figures under two lines per command; its cost was within the run-to-run noise.
    access_log, quiet = logging.getLogger("faststream.access.nats"), lambda r: r.levelno >= logging.ERROR
    access_log.addFilter(quiet)
    with tempfile.TemporaryDirectory(prefix="aixin-bench-") as tmp:
        platform = Platform(Settings(data_dir=Path(tmp), http_port=free_port()), children=UP_CHILDREN)
        try:
            info = await platform.start()
            return await _measure(platform, info, events, commands, console, imports)
        finally:
            await platform.stop()
            access_log.removeFilter(quiet)


async def _import(directory: Path, rows: int) -> tuple[int, float]:
    """A civil-affairs list with 1 % bad rows, imported by `aixin import`'s own runner in a process
    of its own, as an operator's `aixin import` is (the list is written before the clock starts)."""
    from services.cli.bench_import import import_in_own_process
    from services.importing.synthetic import synthetic_children

    path = synthetic_children(rows, bad_share=0.01, seed=7).write_csv(directory / "bench-children.csv")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return await asyncio.get_running_loop().run_in_executor(pool, import_in_own_process, directory, path)


async def _measure(platform: Platform, info: RuntimeInfo, events: int, commands: int, console: Console,
                   imports: int = 0) -> dict:
    # The raw baseline has a stream of its own, which only the admin user may create.
    nc, version = await platform.connect(ADMIN), ".".join(map(str, server_version(server_binary())))
    sync = "always (fsync before every ack)" if platform.embedded.sync_always else "server default"
    console.print(f"[bold]aixin bench[/bold] — nats-server {version}, JetStream file storage, "
                  f"sync_interval: {sync}; the raw baseline uses the same server and settings")
    rows = [("raw_64", f"raw js.publish, {IN_FLIGHT} in flight", events, await raw_publish_seconds(nc, events, IN_FLIGHT)),
            ("raw_1", "raw js.publish, 1 in flight", events, await raw_publish_seconds(nc, events, 1))]
    data_dir = platform.settings.data_dir
    connection = Connection(data_dir, info, current(data_dir, info.http_url))
    async with HttpCommands(connection, IN_FLIGHT) as http, AdminClient(platform.embedded.url, platform.settings.data_dir) as client:
        seconds, refused = await _commands(http, commands)
        lag = None
        rows.append(("commands", f"RegisterChild over HTTP, {IN_FLIGHT} in flight", commands, seconds))
        if imports:
            rows.append(("import", "import children over HTTP (CSV, 1 % bad rows)",
                         *await _import(data_dir, imports)))
            lag = await _read_models_caught_up(client)
            console.print(f"read models caught up {lag:.1f} s after the import ended (the log followers "
                          "run at a lower CPU priority than commands)", highlight=False)
        missing = events - await _region_events(platform)
        if missing > 0:  # the replay must cover at least `events` events; the top-up is not timed
            refused += (await _commands(http, missing))[1]
        await _read_models_caught_up(client)  # a replay stops where the live one stands
        replayed = await client.request(REPLAY, {"projections": []}, timeout=3600)
    if not replayed.get("ok"):
        raise RuntimeError(f"replay failed: {replayed.get('error')}")
    for report in replayed["reports"]:
        name = report["projection"]
        rows.append((f"replay_{name}", f"replay {name}", report["events"], report["seconds"]))
    rows.append(("batch_match", "batch match 2000×2500", 2000, _batch_match(2000, 2500)))
    state = (await nc.jetstream().stream_info(STREAM)).state
    console.print(f"log: {state.messages} events, {state.bytes // max(state.messages, 1)} bytes stored "
                  f"per event; raw payload {EVENT_BYTES} bytes; refused commands: {refused}")
    return {"nats_server": version, "sync_always": platform.embedded.sync_always, "refused": refused,
            "read_models_lag_after_import": lag, **_report(rows, console)}


async def _region_events(platform: Platform) -> int:
    """Events in the log that read models replay: all but the accounts' (aixin.acct.>)."""
    accounts = await platform.nc.jetstream().stream_info(STREAM, subjects_filter=ACCOUNT_EVENTS)
    return await platform.event_log.last_sequence() - sum((accounts.state.subjects or {}).values())


async def _read_models_caught_up(client: AdminClient) -> float:
    """Seconds until the projections have applied everything in the log."""
    started = time.perf_counter()
    await wait_for_read_models(client, timeout=3600)
    return time.perf_counter() - started


def _batch_match(children: int, volunteers: int) -> float:
    """Seconds to propose pairs for one synthetic district (pure: scores, solver, explanations)."""
    snapshot = district_snapshot(children, volunteers)
    started = time.perf_counter()
    batch_proposal(snapshot)
    return time.perf_counter() - started


async def _commands(client: HttpCommands, count: int) -> tuple[float, int]:
    """Send `count` RegisterChild commands with the demo's concurrency; return seconds and refusals."""
    refused = 0

    async def one(i: int) -> None:
        nonlocal refused
        reply = await client.send("intake", "register_child", _child(i))
        refused += not reply.ok

    return await timed(count, IN_FLIGHT, one), refused


def _child(i: int) -> RegisterChild:
    # A new child each time (no child_id): no history to load, one key inserted per person sealed.
    return RegisterChild(actor=SIGNED_IN, region=COMMUNITY, name=f"王小明{i}", sex=Sex.female,
                         birth_date=date(2016, 5, 1), category=ChildCategory.left_behind,
                         subtype=ChildSubtype.both_parents_away, address="南华西街道 1 号",
                         guardian=Guardian(relation=GuardianRelation.grandparent, name="王奶奶",
                                           phone="13900000000"))


def _report(rows: list[tuple[str, str, int, float]], console: Console) -> dict:
    baseline = rows[0][2] / rows[0][3]  # raw with 64 in flight: the ceiling for the command path
    table = Table("measurement", "count", "seconds", "per second", "× raw (64)", title="aixin bench")
    figures = {}
    for key, label, count, seconds in rows:
        rate = count / seconds if seconds else 0.0
        figures[key] = {"count": count, "seconds": seconds, "per_second": rate, "ratio": rate / baseline}
        table.add_row(label, str(count), f"{seconds:.2f}", f"{rate:,.0f}", f"{rate / baseline:.3f}")
    console.print(table)
    for key, label, *_ in rows:  # plain lines too, for logs and notes that strip tables
        console.print(f"{label}: {figures[key]['per_second']:,.0f}/s = {figures[key]['ratio']:.3f} × raw",
                      highlight=False)
    return figures
