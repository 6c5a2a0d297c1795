"""`aixin match …`: suggestions, batch proposals, pools, the rematch queue and pairs per mode from
a running platform (read models over HTTP), and proposals approved or rejected (commands over HTTP,
as the signed-in account: a proposal is approved by an approver who did not propose it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from contracts.pairing.matching import ApprovePair, ProposalDropReason, ProposePair, RejectPair
from services.cli import match_views as views
from services.cli.client import SIGNED_IN, HttpCommands, NotRunning, connect, request
from services.cli.credentials import AccessDenied
from services.cli.common import AsJson, DataDir, console, fail, get_json, region_arg, run

match_app = typer.Typer(help="Matching: suggestions, batch proposals, pools, rematch queue, approval.",
                        no_args_is_help=True)


@match_app.command()
def suggest(child_id: str, top: Annotated[int, typer.Option(min=1, max=100)] = 5,
            json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Ranked volunteers for one child, each score explained."""
    result = get_json(data_dir, f"/children/{child_id}/suggestions", top=top)
    _echo(result) if json_out else views.suggestions(console, result)


@match_app.command()
def batch(region: str,
          propose: Annotated[bool, typer.Option("--propose", help="send every pair as a proposal")] = False,
          json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """A batch proposal for a street/town or district: maximum total score within capacities."""
    result = get_json(data_dir, f"/regions/{region_arg(region)}/batch-proposal")
    if propose:
        result["sent"] = run(_propose_all(data_dir, result["proposals"]))
    _echo(result) if json_out else views.batch(console, result)


@match_app.command()
def pools(region: str, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """The pairing and reserve pools, per district and per street/town."""
    result = get_json(data_dir, f"/regions/{region_arg(region)}/pools")
    _echo(result) if json_out else views.pools(console, result)


@match_app.command()
def rematch(region: str, top: Annotated[int, typer.Option(min=0, max=20)] = 3, json_out: AsJson = False,
            data_dir: DataDir = None) -> None:
    """Children waiting for a new pair, each with fresh suggestions."""
    result = get_json(data_dir, f"/regions/{region_arg(region)}/rematch-queue", top=top)
    _echo(result) if json_out else views.rematch(console, result)


@match_app.command()
def modes(region: str, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """Proposals, approvals, pairs and paired children per pairing mode."""
    result = get_json(data_dir, f"/regions/{region_arg(region)}/pair-modes")
    _echo(result) if json_out else views.modes(console, result)


@match_app.command()
def approve(pair_id: str, data_dir: DataDir = None) -> None:
    """Approve a proposed pair (an approver of a street/town office or above, not its proposer)."""
    _reply(run(_send(data_dir, "approve_pair", ApprovePair(actor=SIGNED_IN, pair_id=pair_id))), data_dir)


@match_app.command()
def reject(pair_id: str, reason: Annotated[ProposalDropReason, typer.Option()], data_dir: DataDir = None) -> None:
    """Reject a proposed pair, with the reason (an approver)."""
    _reply(run(_send(data_dir, "reject_pair", RejectPair(actor=SIGNED_IN, pair_id=pair_id, reason=reason))),
           data_dir)


async def _send(data_dir: Path | None, name: str, command):
    async with HttpCommands(connect(data_dir)) as client:
        return await client.send("pairing", name, command)


async def _propose_all(data_dir: Path | None, proposals: list[dict]) -> dict:
    sent = {"proposed": [], "pairs": [], "refused": []}
    async with HttpCommands(connect(data_dir)) as client:
        for p in proposals:
            reply = await client.send("pairing", "propose_pair", ProposePair(
                actor=SIGNED_IN, mode=p["mode"], child_ids=[p["child_id"]], volunteer_ids=[p["volunteer_id"]],
                score=p["score"]))
            if reply.ok:
                sent["proposed"].append(reply.result["pair_id"])
                sent["pairs"].append({"pair_id": reply.result["pair_id"], "child_id": p["child_id"],
                                      "volunteer_id": p["volunteer_id"]})
            else:
                sent["refused"].append({"child_id": p["child_id"], "error": reply.error.message})
    return sent


def _reply(reply, data_dir: Path | None) -> None:
    if not reply.ok:
        fail(f"{reply.error.code}: {reply.error.message}", 1)
    views.approved(console, reply.result, _members(data_dir, reply.result["pair_id"]))


def _members(data_dir: Path | None, pair_id: str) -> dict | None:
    """Whom the pair links, named for roles that see personal data; None where the read model has
    not caught up with the command yet (or the account may not read it)."""
    try:
        return request(connect(data_dir), "GET", f"/pairs/{pair_id}/members")
    except (LookupError, AccessDenied, NotRunning):
        return None


def _echo(result: dict) -> None:
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
