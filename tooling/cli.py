"""`aixin demo` and `aixin bench`: the commands of the tooling, registered beside the product's by
`services.cli.app` (the one place the product names the tooling). Their work is imported when one
of them runs, so `aixin` starts as fast without them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.cli.client import AdminClient, HttpCommands, connect
from services.cli.common import DataDir, console, fail, run


def demo(
    children: Annotated[int, typer.Option(min=1, max=1_000_000)] = 1000,
    seed: int = 1,
    data_dir: DataDir = None,
) -> None:
    """Fill a plausible federation over the HTTP API (needs 'aixin up'), sent by its offices' accounts.

    The signed-in admin creates a caseworker and an approver per district and a viewer per province
    (passwords in data_dir/demo-accounts.json); each district's caseworker sends its commands."""
    from tooling.common import IN_FLIGHT, wait_for_read_models
    from tooling.demo.federation import Demo
    from tooling.demo.accounts import DemoSender, ensure_accounts, sign_in_hint

    async def main() -> None:
        connection = connect(data_dir)
        async with HttpCommands(connection, in_flight=IN_FLIGHT) as commands:
            path, accounts = await ensure_accounts(commands)
            columns = (TextColumn("{task.description:>16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=console) as progress:
                refused = await Demo(DemoSender(commands, accounts), children, seed, progress).run()
        async with AdminClient(connection.info.nats_url, connection.data_dir) as admin:
            position = await wait_for_read_models(admin)
        console.print(f"done; log at sequence {position['stream_last_seq']}, read models at {position['applied']}")
        for reason, count in refused.items():
            console.print(f"  refused {count}× {reason}")
        console.print(sign_in_hint(path, accounts), highlight=False, soft_wrap=True)

    run(main())


def bench(
    events: Annotated[int, typer.Option(help="events the rebuilds replay at least (topped up)")] = 5000,
    commands: Annotated[int, typer.Option(help="commands to time per kind with 64 in flight (a tenth one at a time)")] = 2000,
    rows: Annotated[int, typer.Option(help="rows of a civil-affairs list to import (0: skip)")] = 5000,
    peer: Annotated[bool, typer.Option("--peer", help="also run the peers: pyeventsourcing on PostgreSQL (of the same "
                                                      "durability) and on SQLite (pip install 'aixin\\[bench]')")] = False,
    peer_pg_url: Annotated[Optional[str], typer.Option(help="with --peer: the PostgreSQL the peer uses, in a schema of "
                                                            "its own made and dropped by the run (default: "
                                                            "$AIXIN_BENCH_PG_URL, else postgresql://postgres@127.0.0.1"
                                                            ":5432/test); where none answers, its rows are skipped")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object of the figures on standard "
                                                         "output (the table goes to standard error)")] = False,
    each_model: Annotated[bool, typer.Option(help="rebuild each read model alone too, not only all at once")] = True,
    scale: Annotated[Optional[int], typer.Option(min=1000, help="instead: stats reads with this many children in the "
                                                 "read models, and a rebuild of a log this long with the followers' memory "
                                                 "(minutes at 1000000)")] = None,
    pg_url: Annotated[Optional[str], typer.Option(help="with --scale: a PostgreSQL database whose read-model tables "
                                                       "may be dropped, for the stats reads on PostgreSQL")] = None,
    scale_part: Annotated[Optional[str], typer.Option(help="with --scale: only 'stats' (the reads) or only "
                                                           "'rebuild' (the log and its rebuild); default both")] = None,
    national: Annotated[bool, typer.Option("--national", help="instead: a national history of --events events, "
                                           "rebuilt on SQLite (and --pg-url) by --processes processes each")] = False,
    processes: Annotated[str, typer.Option(help="with --national: the numbers of rebuild processes to measure")] = "1,2,4",
    figures: Annotated[Optional[Path], typer.Option(help="with --national: write the figures to this JSON file "
                                                         "as each is measured")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="draw cost against size from the --national JSON files "
                                                      "given as arguments (or --figures) to this PNG "
                                                      "(pip install 'aixin\\[bench]')")] = None,
    sizes: Annotated[Optional[list[Path]], typer.Argument(help="with --plot: the JSON files of earlier runs")] = None,
    together: Annotated[bool, typer.Option("--databases-together", help="with --national: rebuild on SQLite and "
                                                                       "PostgreSQL at the same time")] = False,
) -> None:
    """Raw JetStream rates (publish, ordered read), commands/s over HTTP and NATS, import rows/s,
    rebuild events/s per read model and all at once, acknowledgement-to-visible latency, stats read
    times at six levels, CPU per command by process, and with --peer pyeventsourcing doing the same work,
    all in one run, each figure set against the goal that names it (met or not)."""
    import json

    from rich.console import Console

    from tooling.bench.peer import PeerUnavailable
    from tooling.bench.run import run_bench

    shown = Console(stderr=True) if as_json else console
    if national or plot:
        _national(national, events, pg_url, processes, figures, plot, sizes or [], shown, as_json, together)
        return
    if scale:
        from tooling.bench.scale import PARTS, run_scale

        if scale_part is not None and scale_part not in PARTS:
            fail(f"--scale-part: {scale_part!r} is not one of {', '.join(PARTS)}")
        figures = run(run_scale(scale, shown, pg_url, (scale_part,) if scale_part else PARTS))
        if as_json:
            print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    if peer_pg_url is not None:
        from tooling.bench.peer_pg import PeerDatabaseError, connection_fields

        try:
            connection_fields(peer_pg_url)
        except PeerDatabaseError as error:
            fail(f"--peer-pg-url: {error}")
    try:
        figures = run(run_bench(events=events, commands=commands, console=shown, imports=rows, peer=peer,
                                each_model=each_model, peer_pg_url=peer_pg_url))
    except PeerUnavailable as error:
        fail(str(error))
    if as_json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))


def _national(national: bool, events: int, pg_url: str | None, processes: str, figures: Path | None,
              plot: Path | None, sizes: list[Path], shown, as_json: bool, together: bool) -> None:
    import json

    try:
        counts = tuple(int(n) for n in processes.split(","))
    except ValueError:
        fail(f"--processes: {processes!r} is not a list of numbers such as 1,2,4")
    if national:
        from tooling.bench.national import run_national

        found = run(run_national(events, shown, pg_url, counts, figures, together=together))
        if as_json:
            print(json.dumps(found, ensure_ascii=False, indent=2))
    if plot:
        try:
            from tooling.bench.plot import plot as draw
            import matplotlib  # noqa: F401
        except ImportError:
            fail("--plot needs matplotlib: pip install 'aixin[bench]'")
        shown.print(f"drawn: {draw([*sizes, *([figures] if figures else [])], plot)}")
