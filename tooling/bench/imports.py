"""Import speed: rows per second of a synthetic list imported into a running platform, and its ratio
to the raw JetStream publish rate measured on the same server in the same run (the goal: 0.7). The
rows go over the HTTP API as the signed-in account (credential.json or `aixin login`), as
`aixin import`'s do.

    python -m tooling.bench.imports --rows 100000 --data-dir /tmp/imp [--again]
    python -m tooling.bench.imports --rows 100000 --reading-memory   # no platform needed

The raw baseline is `tooling.bench.run`'s: js.publish of a 1.1 kB payload with a message id and an
expected subject sequence, into a stream of its own on the same server, with 64 in flight (the
figure `aixin bench` compares everything with) and with as many in flight as the import keeps
(batches in flight × rows per batch).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from rich.console import Console

from contracts.intake.imports import MAX_ROWS
from services.cli.client import SIGNED_IN, AdminClient, HttpCommands, connect
from services.cli.imports import print_summary
from services.importing.runner import IN_FLIGHT, KINDS, Importer, prepare
from services.platform import event_loop
from tooling.bench.raw import raw_publish_seconds
from tooling.synthetic.children import synthetic_children



async def import_rate(data_dir: Path | None, rows: int, directory: Path, raw_events: int = 10_000,
                      seed: int = 1, again: bool = False, console: Console | None = None) -> dict:
    console = console or Console()
    listing = synthetic_children(rows, bad_share=0.01, seed=seed)
    job = prepare(KINDS["children"], listing.write_csv(directory / f"children-{rows}-{seed}.csv"), SIGNED_IN)
    connection = connect(data_dir)
    async with AdminClient(connection.info.nats_url, connection.data_dir) as client, HttpCommands(connection) as http:
        send = _sender(http)
        raw = {64: raw_events / await raw_publish_seconds(client.nc, raw_events, 64),
               IN_FLIGHT * MAX_ROWS: raw_events / await raw_publish_seconds(client.nc, raw_events, IN_FLIGHT * MAX_ROWS)}
        summary = await Importer(send).run(job)
        print_summary(summary, "children", console)
        figures = {"rows": summary.rows, "seconds": summary.seconds, "rows_per_second": summary.rows_per_second,
                   "registered": summary.registered, "bad": summary.bad, "expected_bad": len(listing.bad),
                   **{f"raw_{n}_per_second": rate for n, rate in raw.items()},
                   "ratio": summary.rows_per_second / raw[64],
                   "ratio_same_in_flight": summary.rows_per_second / raw[IN_FLIGHT * MAX_ROWS]}
        if again:
            repeat = await Importer(send).run(prepare(KINDS["children"], job.table.path, SIGNED_IN))
            print_summary(repeat, "children", console)
            figures |= {"again_registered": repeat.registered, "again_already": repeat.already_registered,
                        "again_seconds": repeat.seconds}
    for n, rate in raw.items():
        console.print(f"raw js.publish, {n} in flight: {rate:,.0f}/s; import {summary.rows_per_second:,.0f} "
                      f"rows/s = {summary.rows_per_second / rate:.2f} × raw", highlight=False)
    return figures


def _sender(client: HttpCommands):
    async def send(route, command):
        return await client.send("intake", route, command, timeout=300)
    return send


def import_in_own_process(data_dir: Path, path: Path) -> tuple[int, float]:
    """Import the children listed in `path` into the platform of `data_dir` (rows, seconds): run in
    a process of its own, as the `aixin import` command is, so the list's parsing does not share the
    platform's processes."""

    async def run() -> tuple[int, float]:
        async with HttpCommands(connect(data_dir)) as client:
            summary = await Importer(_sender(client)).run(prepare(KINDS["children"], path, SIGNED_IN))
            return summary.rows, summary.seconds

    return event_loop.run(run())


def reading_memory(rows: int, directory: Path, console: Console | None = None) -> dict:
    """Peak memory of reading and checking a list of `rows` children, as CSV and as XLSX, each in a
    process of its own, beside the same process's memory before the list was opened (the baseline
    of the same run): what `aixin import` holds for a list apart from its sending."""
    console = console or Console()
    listing = synthetic_children(rows, bad_share=0.01)
    paths = {"csv": listing.write_csv(directory / f"children-{rows}.csv"),
             "xlsx": _write_xlsx(listing, directory / f"children-{rows}.xlsx")}
    figures = {}
    context = multiprocessing.get_context("spawn")
    for name, path in paths.items():
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
            baseline, peak, checked, seconds = pool.submit(_read_all, path).result()
        figures[name] = {"rows": checked, "file_mb": round(path.stat().st_size / 1024 ** 2, 1),
                         "baseline_rss_mb": baseline, "peak_rss_mb": peak, "seconds": round(seconds, 1)}
        console.print(f"{name}: {checked:,} rows ({figures[name]['file_mb']} MB) read and checked in {seconds:.1f} s; "
                      f"peak RSS {peak:.0f} MB, {peak - baseline:.0f} MB over the process before the list "
                      f"({baseline:.0f} MB)", highlight=False)
    return figures


def _read_all(path: Path) -> tuple[float, float, int, float]:
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    job = prepare(KINDS["children"], path, SIGNED_IN)
    checked = sum(1 for line, cells in job.rows if not job.parser.is_blank(cells) and job.parser.parse(line, cells))
    return baseline, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, checked, time.perf_counter() - started


def _write_xlsx(listing, path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(listing.header)
    for row in listing.rows:
        sheet.append([row[h] for h in listing.header])
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tooling.bench.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--data-dir", type=Path, default=None, help="of the running 'aixin up'")
    parser.add_argument("--raw-events", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--again", action="store_true", help="import the same list a second time")
    parser.add_argument("--reading-memory", action="store_true",
                        help="only read and check the list (CSV and XLSX) and print the memory it took")
    args = parser.parse_args()
    if args.reading_memory:
        with tempfile.TemporaryDirectory(prefix="aixin-import-bench-") as tmp:
            print(reading_memory(args.rows, Path(tmp)))
        return
    with tempfile.TemporaryDirectory(prefix="aixin-import-bench-") as tmp:
        figures = event_loop.run(import_rate(args.data_dir, args.rows, Path(tmp),
                                          args.raw_events, args.seed, args.again))
    print(figures)


if __name__ == "__main__":
    main()
