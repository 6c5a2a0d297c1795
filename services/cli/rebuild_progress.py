"""`aixin replay`: start (or resume) a rebuild of the read models over NATS, then follow its status
with a progress bar until it has swapped the rebuilt tables in. The request is answered at once;
the live read models keep serving and following the log all along. Ctrl-C leaves the rebuild
running in the platform: `aixin replay` again follows it."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.cli.client import AdminClient
from services.cli.common import console, fail, shown
from services.projections.admin import REBUILD, REBUILD_STATUS

POLL_SECONDS = 0.25
FINISHED = ("done", "failed", "stopped")


async def follow(client: AdminClient, names: list[str], bar: bool) -> dict:
    """The status of the rebuild started (or joined) here, once it has finished."""
    status = await client.request(REBUILD, {"projections": names}, timeout=30)
    if not status.get("ok"):
        return status
    rebuild_id = status["rebuild"]["id"]
    if not status["started"] and bar:
        console.print(f"a rebuild of {', '.join(status['rebuild']['projections'])} is under way: following it "
                      f"(ask again once it is done for any other read model)", highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]} events/s"), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not bar) as progress:
        task = progress.add_task("rebuilding", total=None, rate=0)
        while True:
            rebuild = status["rebuild"]
            if rebuild.get("id") != rebuild_id:  # ours ended, and another one has begun since
                return {**status, "ok": False, "error": "the rebuild ended while another one began"}
            progress.update(task, completed=rebuild["position"], total=max(status["stream_last_seq"], 1),
                            rate=rebuild["events_per_second"], description=rebuild["state"])
            if rebuild["state"] in FINISHED:
                return status
            await asyncio.sleep(POLL_SECONDS)
            status = await client.request(REBUILD_STATUS, {}, timeout=30)


def report(status: dict, json_out: bool) -> None:
    """Print how the rebuild ended; exit 1 where a rebuilt read model differed from the live one."""
    if not status.get("ok"):
        fail(status.get("error", "replay failed"))
    rebuild = status["rebuild"]
    if json_out:  # the reports at the top, as `aixin replay --json` has always printed them
        typer.echo(json.dumps({"reports": rebuild.get("reports", []), **status}, indent=2))
    if rebuild["state"] != "done":
        fail(f"the rebuild {rebuild['state']}: {rebuild.get('error') or 'stopped with its platform'}; "
             f"'aixin replay' again resumes it from its checkpoint")
    if not json_out:
        start = f" (resumed after sequence {rebuild['resumed_from']})" if rebuild["resumed_from"] else ""
        console.print(f"{rebuild['events']} events in {rebuild['seconds']} s ({rebuild['events_per_second']}/s)"
                      f"{start}; the live read models paused {rebuild['paused_seconds'] * 1000:.0f} ms in all, "
                      f"{rebuild['longest_pause'] * 1000:.0f} ms at most", highlight=False)
        for each in rebuild["reports"]:
            verdict = ("[green]equal to the live read model" if each["equal"]
                       else "[red]DIFFERENT (now rebuilt): " + shown("; ".join(each["differences"])))
            console.print(f"{each['projection']}: {verdict}")
    if not all(each["equal"] for each in rebuild["reports"]):
        raise typer.Exit(1)
