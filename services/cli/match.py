"""`aixin match …`: suggestions, batch proposals, pools, the rematch queue and pairs per mode from
a running platform (read models over HTTP), and proposals approved or rejected (commands over NATS).
The operator's office (`--office`, CN or a division code) gives the level and region it acts for."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from contracts.envelope import Actor
from contracts.matching import ApprovePair, ProposalDropReason, ProposePair, RejectPair
from contracts.regions import InvalidRegion, parse_region
from services.cli import match_views as views
from services.cli.client import CommandClient, NotRunning, get, runtime

match_app = typer.Typer(help="Matching: suggestions, batch proposals, pools, rematch queue, approval.",
                        no_args_is_help=True)
console = Console()
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="data directory of the running platform")]
Operator = Annotated[str, typer.Option("--operator", help="operator id recorded on every event")]
Office = Annotated[str, typer.Option("--office", help="the operator's office: CN or a division code")]


@match_app.command()
def suggest(child_id: str, top: Annotated[int, typer.Option(min=1, max=100)] = 5,
            json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Ranked volunteers for one child, each score explained."""
    result = _get(data_dir, f"/children/{child_id}/suggestions", top=top)
    _echo(result) if json_out else views.suggestions(console, result)


@match_app.command()
def batch(region: str,
          propose: Annotated[bool, typer.Option("--propose", help="send every pair as a proposal")] = False,
          json_out: AsJson = False, data_dir: DataDir = None, operator: Operator = "matcher",
          office: Office = "CN") -> None:
    """A batch proposal for a street/town or district: maximum total score within capacities."""
    result = _get(data_dir, f"/regions/{_code(region)}/batch-proposal")
    if propose:
        result["sent"] = _run(_propose_all(data_dir, _actor(operator, office), result["proposals"]))
    _echo(result) if json_out else views.batch(console, result)


@match_app.command()
def pools(region: str, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """The pairing and reserve pools, per district and per street/town."""
    result = _get(data_dir, f"/regions/{_code(region)}/pools")
    _echo(result) if json_out else views.pools(console, result)


@match_app.command()
def rematch(region: str, top: Annotated[int, typer.Option(min=0, max=20)] = 3, json_out: AsJson = False,
            data_dir: DataDir = None) -> None:
    """Children waiting for a new pair, each with fresh suggestions."""
    result = _get(data_dir, f"/regions/{_code(region)}/rematch-queue", top=top)
    _echo(result) if json_out else views.rematch(console, result)


@match_app.command()
def modes(region: str, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Proposals, approvals, pairs and paired children per pairing mode."""
    result = _get(data_dir, f"/regions/{_code(region)}/pair-modes")
    _echo(result) if json_out else views.modes(console, result)


@match_app.command()
def approve(pair_id: str, data_dir: DataDir = None, operator: Operator = "approver", office: Office = "CN") -> None:
    """Approve a proposed pair (a street/town office or above)."""
    _reply(_run(_send(data_dir, "approve_pair", ApprovePair(actor=_actor(operator, office), pair_id=pair_id))))


@match_app.command()
def reject(pair_id: str, reason: Annotated[ProposalDropReason, typer.Option()], data_dir: DataDir = None,
           operator: Operator = "approver", office: Office = "CN") -> None:
    """Reject a proposed pair, with the reason."""
    command = RejectPair(actor=_actor(operator, office), pair_id=pair_id, reason=reason)
    _reply(_run(_send(data_dir, "reject_pair", command)))


async def _send(data_dir: Path | None, name: str, command):
    async with CommandClient(runtime(data_dir).nats_url) as client:
        return await client.send("pairing", name, command)


async def _propose_all(data_dir: Path | None, actor: Actor, proposals: list[dict]) -> dict:
    sent = {"proposed": [], "refused": []}
    async with CommandClient(runtime(data_dir).nats_url) as client:
        for p in proposals:
            reply = await client.send("pairing", "propose_pair", ProposePair(
                actor=actor, mode=p["mode"], child_ids=[p["child_id"]], volunteer_ids=[p["volunteer_id"]],
                score=p["score"]))
            if reply.ok:
                sent["proposed"].append(reply.result["pair_id"])
            else:
                sent["refused"].append({"child_id": p["child_id"], "error": reply.error.message})
    return sent


def _reply(reply) -> None:
    if not reply.ok:
        _fail(f"{reply.error.code}: {reply.error.message}", 1)
    console.print(f"{reply.result['pair_id']}: " + ", ".join(e["event_type"] for e in reply.result["events"]))


def _actor(operator: str, office: str) -> Actor:
    region = parse_region(_code(office))
    return Actor(operator_id=operator, level=region.level, region=region.code)


def _code(text: str) -> str:
    try:
        return parse_region(text).code
    except InvalidRegion as error:
        _fail(str(error))


def _echo(result: dict) -> None:
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def _get(data_dir: Path | None, path: str, **params) -> dict:
    try:
        return get(runtime(data_dir), path, **params)
    except NotRunning as error:
        _fail(str(error))
    except LookupError as error:
        _fail(str(error), 1)


def _run(coroutine):
    try:
        return asyncio.run(coroutine)
    except NotRunning as error:
        _fail(str(error))


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)
