"""Importing one list: read it, check every row here, send the good rows to the intake service in
batches (a few in flight), and report every bad row and every person already on file.

Bad rows are never sent. A batch whose reply is lost is sent again: its rows' command ids make
that safe. `send(route, command)` is how a batch reaches the intake service (the HTTP API from the
CLI, which records the signed-in account as every row's actor; `execute` in tests).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from pathlib import Path

from contracts.commands import Command
from contracts.envelope import Actor
from contracts.intake.imports import MAX_ROWS, RecruitVolunteers, RegisterChildren, RowOutcome, RowStatus
from contracts.replies import ErrorCode, Reply
from services.importing.columns import (CHILD_COLUMNS, CHILD_REQUIRED, HEADER_SEARCH_ROWS,
                                        VOLUNTEER_COLUMNS, VOLUNTEER_REQUIRED, Layout, MissingColumns,
                                        find_layout)
from services.importing.reading import Rows, Table, UnusableFile, open_table
from services.importing.report import ALREADY, BAD, Entry, default_path, write_report
from services.importing.rows import ChildRows, RowParser, VolunteerRows

Send = Callable[[str, Command], Awaitable[Reply]]
# Batches awaiting their reply: enough that both of `aixin up`'s intake processes always have one
# (the queue group hands each batch to one of them at random); 8 beat 4 by about 10 %, 16 gained nothing.
IN_FLIGHT = 8
MAX_BATCH_BYTES = 700_000  # well under NATS's default 1 MB message limit
SEND_ATTEMPTS = 3


class PlatformFault(RuntimeError):
    """The platform failed on a batch (an internal error, HTTP 500): no fault of its rows, which are
    not reported as bad; the import stops. Importing the file again sends nothing twice."""


@dataclass(frozen=True)
class Kind:
    parser: type[RowParser]
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    route: str
    bulk: type[Command]
    identity_field: str  # the column an "already registered" entry points at


KINDS = {
    "children": Kind(ChildRows, CHILD_COLUMNS, CHILD_REQUIRED, "register_children", RegisterChildren, "id_number"),
    "volunteers": Kind(VolunteerRows, VOLUNTEER_COLUMNS, VOLUNTEER_REQUIRED, "recruit_volunteers",
                       RecruitVolunteers, "phone"),
}


@dataclass
class Summary:
    file: Path
    source: str
    header_line: int
    ignored_columns: list[str]
    rows: int = 0
    registered: int = 0
    already_registered: int = 0
    bad: int = 0
    problems: int = 0
    seconds: float = 0.0
    report: Path | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Prepared:
    kind: Kind
    table: Table
    layout: Layout
    parser: RowParser
    rows: Rows  # the (line, cells) pairs after the header

    @property
    def estimated_rows(self) -> int:
        return max(self.table.estimated_rows - self.layout.line, 0)


def prepare(kind: Kind, path: Path, actor: Actor, today: date | None = None) -> Prepared:
    """Open the file and find its header; raises UnusableFile saying what is wrong."""
    table = open_table(path)
    first = list(islice(table.rows, HEADER_SEARCH_ROWS))
    try:
        layout = find_layout(first, kind.columns, kind.required)
        parser = kind.parser(layout, actor, table.digest, today or date.today())
    except MissingColumns as error:
        raise UnusableFile(f"{path}: {error}") from None
    rest = chain((row for row in first if row[0] > layout.line), table.rows)
    return Prepared(kind, table, layout, parser, rest)


@dataclass
class Importer:
    send: Send
    tick: Callable[[int], None] = lambda n: None
    in_flight: int = IN_FLIGHT
    entries: list[Entry] = field(default_factory=list)

    async def run(self, job: Prepared, report: Path | None = None) -> Summary:
        self.job, started = job, time.perf_counter()
        self.summary = Summary(job.table.path, job.table.description, job.layout.line, job.layout.ignored)
        self.gate, self.tasks = asyncio.Semaphore(self.in_flight), []
        batch: list[tuple[int, list, Command]] = []
        for line, cells in job.rows:
            if job.parser.is_blank(cells):
                continue
            self.summary.rows += 1
            result = job.parser.parse(line, cells)
            if isinstance(result, list):
                self._bad(line, cells, [(p.column, p.reason) for p in result])
                continue
            batch.append((line, cells, result))
            if len(batch) == MAX_ROWS:
                await self._dispatch(batch)
                batch = []
        if batch:
            await self._dispatch(batch)
        await asyncio.gather(*self.tasks)
        self.summary.seconds = time.perf_counter() - started
        if self.entries:
            self.summary.report = write_report(report or default_path(job.table.path),
                                               job.layout.headers, self.entries)
        return self.summary

    async def _dispatch(self, batch: list) -> None:
        await self.gate.acquire()
        failed = next((t for t in self.tasks if t.done() and not t.cancelled() and t.exception()), None)
        if failed is not None:  # stop sending as soon as the platform has failed on a batch
            self.gate.release()
            raise failed.exception()
        task = asyncio.create_task(self._send(batch))
        task.add_done_callback(lambda _: self.gate.release())
        self.tasks.append(task)

    async def _send(self, batch: list) -> None:
        kind = self.job.kind
        command = kind.bulk(command_id=f"{batch[0][2].command_id}-batch", actor=batch[0][2].actor,
                            rows=[row[2] for row in batch])
        if len(batch) > 1 and len(command.model_dump_json()) > MAX_BATCH_BYTES:
            half = len(batch) // 2
            await asyncio.gather(self._send(batch[:half]), self._send(batch[half:]))
            return
        reply, why = None, ""
        for _ in range(SEND_ATTEMPTS):
            try:
                reply = await self.send(kind.route, command)
                break
            except TimeoutError as error:  # the reply was lost, or is late: sending again is safe
                why = f"no reply from the intake service ({type(error).__name__})"
        if reply is not None and not reply.ok and reply.error.code is ErrorCode.internal:
            raise PlatformFault(f"the platform failed on the rows of lines {batch[0][0]}-{batch[-1][0]}: "
                                f"{reply.error.message}")
        if reply is None or not reply.ok:
            why = why or f"{reply.error.code}: {reply.error.message}"
            outcomes = [RowOutcome(status=RowStatus.refused, message=why)] * len(batch)
        else:
            outcomes = [RowOutcome.model_validate(o) for o in reply.result["rows"]]
        for (line, cells, _), outcome in zip(batch, outcomes, strict=True):
            self._record(line, cells, outcome)
        self.tick(len(batch))

    def _record(self, line: int, cells: list, outcome: RowOutcome) -> None:
        layout, columns = self.job.layout, self.job.kind.columns
        if outcome.status is RowStatus.registered:
            self.summary.registered += 1
        elif outcome.status is RowStatus.already_registered:
            self.summary.already_registered += 1
            self.entries.append(Entry(line, layout.header(self.job.kind.identity_field, columns),
                                      ALREADY, outcome.message or "", tuple(cells)))
        else:
            field_name = (outcome.field or "").split(".")[0]
            column = layout.header(field_name, columns) if field_name in columns else (outcome.field or "")
            self._bad(line, cells, [(column, outcome.message or "refused")], ticked=True)

    def _bad(self, line: int, cells: list, problems: list[tuple[str, str]], ticked: bool = False) -> None:
        self.summary.bad += 1
        self.summary.problems += len(problems)
        self.entries.extend(Entry(line, column, BAD, reason, tuple(cells)) for column, reason in problems)
        if not ticked:
            self.tick(1)
