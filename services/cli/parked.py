"""`aixin doctor retry` and `aixin doctor skip`: releasing the events a read model parked, over the
read models' admin subjects (as the platform's admin NATS user, like `aixin replay`).

`retry` applies them again, each aggregate's in order (after a fix or an upcaster ships); `skip`
drops one deliberately, recorded in the log as `ParkedEventSkipped` with who (the signed-in account,
or the platform's admin of `aixin up`, which must hold the admin role) and why, after which the
events held behind it are applied again."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.client import AdminClient, data_directory, runtime
from services.cli.common import AsJson, DataDir, call, console, fail, run, shown
from services.projections.admin import RETRY, SKIP


def show_parked(office: str, parked: list[dict]) -> None:
    table = Table("read model", "stream seq", "event", "aggregate", "region", "error",
                  title=f"events the read models parked in the log of {office}")
    for entry in parked:
        aggregate = f"{entry['aggregate_type']} {entry['aggregate_id']}"
        table.add_row(entry["projection"], str(entry["seq"]), entry["event_type"], shown(aggregate),
                      entry["region"], shown(entry["error"]))
    console.print(table)
    console.print("the later events of an aggregate wait behind its first parked event: 'aixin doctor retry' "
                  "applies them again (after a fix), 'aixin doctor skip SEQ --projection NAME --reason ...' drops one")


def retry(
    projection: Annotated[Optional[list[str]], typer.Option(help="only this read model (repeatable)")] = None,
    aggregate: Annotated[Optional[str], typer.Option(help="only this aggregate, TYPE:ID (e.g. child:c-1)")] = None,
    json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """Apply parked events again, each aggregate's in order; what fails again stays parked with its new error."""
    if aggregate is not None and ":" not in aggregate:
        fail(f"--aggregate is TYPE:ID (e.g. child:c-1), not {aggregate!r}")
    answer = run(_ask(data_dir, RETRY, {"projections": projection or [], "aggregate": aggregate}))
    if json_out:
        typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        console.print(f"{answer['applied']} parked events applied; {answer['still_parked']} still parked")
    if answer["still_parked"]:
        raise typer.Exit(1)


def skip(
    seq: Annotated[int, typer.Argument(help="the stream sequence of the parked event")],
    projection: Annotated[str, typer.Option(help="the read model that parked it")],
    reason: Annotated[str, typer.Option(help="why it is dropped (recorded in the log)")],
    json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """Drop one parked event deliberately (recorded in the log, with who and why); the events held behind it are applied again."""
    me = call(data_dir, "GET", "/auth/me")
    if "admin" not in me["roles"]:
        fail(f"{me['username']} is not an admin: only an admin may skip a parked event", code=1)
    actor = {"operator_id": me["username"], "level": me["level"], "region": me["office"], "role": "admin"}
    answer = run(_ask(data_dir, SKIP, {"projection": projection, "seq": seq, "reason": reason, "actor": actor}))
    if json_out:
        typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    recorded = ("already recorded" if answer["duplicate"]
                else f"recorded at stream sequence {answer['recorded_at_seq']}")
    console.print(f"stream sequence {seq} dropped from {projection} by {me['username']} ({recorded}); "
                  f"{answer['still_parked']} events of {answer['aggregate']} still parked")


async def _ask(data_dir, subject: str, payload: dict) -> dict:
    async with AdminClient(runtime(data_dir).nats_url, data_directory(data_dir)) as client:
        answer = await client.request(subject, payload, timeout=120)
    if not answer.get("ok"):
        raise LookupError(answer.get("error"))
    return answer
