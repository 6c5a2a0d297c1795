"""The benchmark's clients, each run in a process of its own (as an operator's CLI or a provincial
system is), so that their work does not take CPU from the platform they measure: commands over the
HTTP API or straight over NATS (as the API's own user, which is what the API does after checking a
token), a command's time from acknowledgement to visible in `stats`, and the `stats` reads.

Every entry point here is a plain function taking picklable arguments: the parent calls it through
a spawned `ProcessPoolExecutor` (see `in_own_process`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import nats

from contracts.accounts import Role
from contracts.commands import Command
from contracts.envelope import Actor, FederationLevel
from contracts.intake.registration import (ChildCategory, ChildSubtype, Guardian, GuardianRelation,
                                           RecruitVolunteer, RegisterChild, Sex, VolunteerKind)
from contracts.intake.volunteers import RecordTraining, TrainingTopic
from contracts.pairing.pairs import FormPair
from contracts.replies import Reply
from contracts.subjects import command_subject
from services.cli.client import SIGNED_IN, HttpCommands, connect
from services.platform import event_loop
from services.platform.nats_credentials import NatsCredentials, credentials_dir
from services.platform.nats_permissions import API
from tooling.bench.cpu import Watched, read_all
from tooling.bench.raw import timed

COMMUNITY = "440105001101"  # 下渡社区, 赤岗街道, 海珠区: children register at community level
# One command per kind, by index: the same children and volunteers whichever way they are sent.
KINDS = {"register": ("intake", "register_child"), "recruit": ("intake", "recruit_volunteer"),
         "train": ("intake", "record_training"), "form_pair": ("pairing", "form_pair")}
TRAINED_PER_COMMAND = 200
# Fifteen: pairable without the guardian's consent on file, so a pair needs no command more.
BORN = date(2011, 5, 1)
POLL_SECONDS = 0.001
VISIBLE_PER_SECOND = 10.0  # commands a second while a command's time to visible is measured


def in_own_process(function, *args):
    """Run `function(*args)` in a spawned process and await its result."""
    async def run():
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
    return run()


def child_id(i: int, run: str) -> str:
    return f"bench-{run}-child-{i}"


def volunteer_id(i: int, run: str) -> str:
    return f"bench-{run}-volunteer-{i}"


def command(kind: str, i: int, run: str, actor: Actor = SIGNED_IN, total: int = 0) -> Command:
    """The `i`th command of `kind` in `run` ("train": the `i`th 200 of `total` volunteers trained)."""
    if kind == "register":
        return RegisterChild(actor=actor, child_id=child_id(i, run), region=COMMUNITY, name=f"王小明{i}",
                             sex=Sex.female, birth_date=BORN, category=ChildCategory.left_behind,
                             subtype=ChildSubtype.both_parents_away, address="南华西街道 1 号",
                             guardian=Guardian(relation=GuardianRelation.grandparent, name="王奶奶",
                                               phone="13900000000"))
    if kind == "recruit":
        return RecruitVolunteer(actor=actor, volunteer_id=volunteer_id(i, run), region=COMMUNITY,
                                name=f"李妈妈{i}", sex=Sex.female, kind=VolunteerKind.mother)
    if kind == "train":  # the Minors Protection Law session every volunteer needs before a pair
        ids = [volunteer_id(j, run) for j in range(i * TRAINED_PER_COMMAND, min((i + 1) * TRAINED_PER_COMMAND, total))]
        return RecordTraining(actor=actor, topic=TrainingTopic.minors_protection_law, held_on=date(2025, 12, 1),
                              volunteer_ids=ids)
    if kind == "form_pair":
        return FormPair(actor=actor, child_ids=[child_id(i, run)], volunteer_ids=[volunteer_id(i, run)])
    raise ValueError(f"unknown command kind {kind!r}")


def send_commands(data_dir: Path, kind: str, count: int, in_flight: int, via: str, run: str,
                  total: int = 0, watched: tuple[Watched, ...] = ()) -> dict:
    """Send `count` commands of `kind` with `in_flight` at once: {"seconds", "refused", "why" (the
    first refusals' messages), "p50_ms" (a command's own time, send to reply), "cpu" (the
    `watched` processes' CPU seconds, read just before and just after the timed commands)}."""
    return event_loop.run(_send(data_dir, kind, count, in_flight, via, run, total, list(watched)))


async def _send(data_dir: Path, kind: str, count: int, in_flight: int, via: str, run: str,
                total: int, watched: list[Watched]) -> dict:
    refused, why, took = 0, [], []
    context, name = KINDS[kind]
    async with _sender(data_dir, in_flight, via) as send:
        async def one(i: int) -> None:
            nonlocal refused
            started = time.perf_counter()
            reply = await send(context, name, kind, i, run, total)
            took.append((time.perf_counter() - started) * 1000)
            refused += not reply.ok
            if not reply.ok and len(why) < 3:
                why.append(reply.error.message)
        before = read_all(watched)
        seconds = await timed(count, in_flight, one)
        after = read_all(watched)
    return {"seconds": seconds, "refused": refused, "why": why, "p50_ms": percentile(took, 0.5),
            "cpu": {"before": before, "after": after}}


class _sender:
    """`send(context, name, kind, i, run) -> Reply` over HTTP (as the signed-in admin) or over NATS
    (as the API's user, the actor being the admin account the API would have named)."""

    def __init__(self, data_dir: Path, in_flight: int, via: str) -> None:
        self.data_dir, self.in_flight, self.via = data_dir, in_flight, via

    async def __aenter__(self):
        self.connection = connect(self.data_dir)
        if self.via == "http":
            self.http = await HttpCommands(self.connection, self.in_flight).__aenter__()
            return self._http
        options = NatsCredentials.load(credentials_dir(self.data_dir)).connect_options(API)
        self.nc = await nats.connect(self.connection.info.nats_url, **options)
        username = self.connection.auth.username
        self.actor = Actor(operator_id=username, level=FederationLevel.national, region="CN",
                           role=Role.caseworker.value)
        return self._nats

    async def __aexit__(self, *exc) -> None:
        if self.via == "http":
            await self.http.__aexit__(*exc)
        else:
            await self.nc.close()

    async def _http(self, context: str, name: str, kind: str, i: int, run: str, total: int) -> Reply:
        return await self.http.send(context, name, command(kind, i, run, total=total))

    async def _nats(self, context: str, name: str, kind: str, i: int, run: str, total: int) -> Reply:
        body = command(kind, i, run, self.actor, total).model_dump_json().encode()
        answer = await self.nc.request(command_subject(context, name), body, timeout=60)
        return Reply.model_validate_json(answer.data)


def visible_after_ack(data_dir: Path, samples: int, per_second: float, run: str) -> list[float]:
    """Milliseconds from a RegisterChild's acknowledgement until the child counts in the stats of
    its community, for `samples` commands sent at `per_second` (the stats polled without pause)."""
    return event_loop.run(_visible(data_dir, samples, per_second, run))


async def _visible(data_dir: Path, samples: int, per_second: float, run: str) -> list[float]:
    connection = connect(data_dir)
    found: list[float] = []
    async with HttpCommands(connection, 4) as http:
        headers = await connection.auth.aheaders(http.http, False)

        async def registered() -> int:
            response = await http.http.get(f"/regions/{COMMUNITY}/stats", headers=headers)
            response.raise_for_status()
            return response.json()["children_registered"]

        for i in range(samples):
            started = time.perf_counter()
            before = await registered()
            reply = await http.send(*KINDS["register"], command("register", i, run))
            acknowledged = time.perf_counter()
            if not reply.ok:
                raise RuntimeError(f"the command was refused: {reply.error}")
            while await registered() <= before:
                await asyncio.sleep(POLL_SECONDS)
            found.append((time.perf_counter() - acknowledged) * 1000)
            await asyncio.sleep(max(0.0, 1 / per_second - (time.perf_counter() - started)))
    return found


def stats_reads(data_dir: Path, codes: list[str], samples: int) -> dict[str, list[float]]:
    """Milliseconds of `GET /regions/{code}/stats`, one at a time, `samples` times per code."""
    return event_loop.run(_stats_reads(data_dir, codes, samples))


async def _stats_reads(data_dir: Path, codes: list[str], samples: int) -> dict[str, list[float]]:
    connection = connect(data_dir)
    timings: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=connection.http_url) as http:
        headers = await connection.auth.aheaders(http, False)
        for code in codes:
            await http.get(f"/regions/{code}/stats", headers=headers)  # warm: the first read loads divisions
            timings[code] = []
            for _ in range(samples):
                started = time.perf_counter()
                response = await http.get(f"/regions/{code}/stats", headers=headers)
                timings[code].append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
    return timings


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0.5: median, 0.99: p99) of `values`, by linear interpolation."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(share * 1000) - 1]
