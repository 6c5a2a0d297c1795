"""Bulk registration for imports: up to 500 children or volunteers in one request.

Per row the work is that of `handlers.register_child`, done for the whole batch at once: ids are
derived; one request asks the log which of them are on file (a person on file already, because this
row was imported before or the same child was registered elsewhere, is answered
`already_registered` with the region they are in, and nothing is appended for them); the missing
keys are created in one key-store transaction; and the new people's first events are appended
together in one atomic batch, each still with its own expectation that no history exists for its
id under any region.

If the server refuses that batch (someone registered one of these people since the lookup, say),
nothing of it was stored, and the rows are appended one by one, where each is answered exactly.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from contracts.intake.imports import RecruitVolunteers, RegisterChildren, RowOutcome, RowStatus
from contracts.intake.registration import RecruitVolunteer, RegisterChild
from contracts.regions import Region, parse_region, region_name
from services.intake.domain import (REGISTERED_ELSEWHERE, ChildState, VolunteerState, check_child, child_state,
                                    decide_recruit_volunteer, decide_register_child)
from services.intake.handlers import CHILD_LEVELS, VOLUNTEER_LEVELS, region_at, seal_child
from services.intake.identity import (child_id_for_id_number, child_id_for_particulars,
                                      volunteer_id_for_phone)
from services.shared.authority import actor_region, require_within
from services.shared.errors import AixinError, ConcurrencyConflict, Forbidden, InvalidCommand
from services.shared.eventlog import MAX_BATCH_EVENTS, BatchRefused, History, NatsTimeout, PendingEvent
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id

log = logging.getLogger("aixin.commands")


@dataclass
class _Row:
    command: RegisterChild | RecruitVolunteer
    aggregate_id: str = ""
    region: Region | None = None
    uow: UnitOfWork | None = None
    outcome: RowOutcome | None = None


async def register_children(deps: Deps, command: RegisterChildren) -> dict[str, Any]:
    return await _bulk(deps, command, "child", CHILD_LEVELS, _child_id, _seal_child)


async def recruit_volunteers(deps: Deps, command: RecruitVolunteers) -> dict[str, Any]:
    return await _bulk(deps, command, "volunteer", VOLUNTEER_LEVELS, _volunteer_id, _seal_volunteer)


async def _bulk(deps, batch, kind, levels, new_id, seal) -> dict[str, Any]:
    rows = [_Row(row) for row in batch.rows]
    await asyncio.gather(*(_open(deps, batch, row, kind, levels, new_id) for row in rows))
    on_file = await deps.log.subjects_of(kind, [row.aggregate_id for row in _open_rows(rows)])
    await asyncio.gather(*(_known(row, kind) for row in _open_rows(rows) if row.aggregate_id in on_file))
    _refuse_repeats(rows)
    new = list(_open_rows(rows))
    await deps.keys.ensure_keys([pid for row in new for pid in _people(kind, row)])
    sealed = [(row, events) for row in new if (events := await _sealed(deps, row, seal)) is not None]
    for group in _groups(sealed):
        await _append_group(deps, group, kind)
    counts = {status: sum(row.outcome.status is status for row in rows) for status in RowStatus}
    return {"rows": [row.outcome.model_dump(mode="json", exclude_none=True) for row in rows],
            **{str(status): count for status, count in counts.items()}}


async def _open(deps: Deps, batch, row: _Row, kind: str, levels, new_id) -> None:
    command = row.command
    try:
        if command.actor != batch.actor:
            raise InvalidCommand("actor", "every row must be sent by the batch's actor")
        row.region = region_at(command.region, levels)
        require_within(command.actor, row.region, f"a {kind}")
        row.aggregate_id = getattr(command, f"{kind}_id") or await new_id(deps, command)
        row.uow = UnitOfWork(deps, command)
    except AixinError as error:
        row.outcome = _refused(error)
    except Exception:  # one row's fault must not cost the others their answer
        row.outcome = _failed(row)


def _open_rows(rows: list[_Row]):
    return (row for row in rows if row.outcome is None)


async def _known(row: _Row, kind: str) -> None:
    """A person on file: where they are, and whether this very row put them there."""
    try:
        history = await row.uow.load(kind, row.aggregate_id)
        row.outcome = _already(row, _region_of(kind, history), row.uow.earlier_result())
    except Exception:
        row.outcome = _failed(row)


def _refuse_repeats(rows: list[_Row]) -> None:
    """The same person twice in one batch (in two regions, say) must not be registered twice."""
    first: dict[str, _Row] = {}
    for row in (row for row in rows if row.aggregate_id):
        if row.outcome is None and row.aggregate_id in first:
            row.outcome = _already(row, first[row.aggregate_id].region.code, None)
        first.setdefault(row.aggregate_id, row)


async def _sealed(deps: Deps, row: _Row, seal) -> list[PendingEvent] | None:
    """The row's events, ready to append; None (and the row answered) if it cannot be registered."""
    try:
        return row.uow.pending(await seal(deps, row))
    except AixinError as error:
        row.outcome = _refused(error)
    except PermissionError as error:  # the person's key was destroyed: their data was erased
        row.outcome = _refused(AixinError(str(error)))
    except Exception:
        row.outcome = _failed(row)
    return None


def _groups(sealed: list[tuple[_Row, list[PendingEvent]]]):
    """Consecutive rows whose events fit in one atomic batch; a row's events are never split."""
    group: list[tuple[_Row, list[PendingEvent]]] = []
    size = 0
    for row, events in sealed:
        if group and size + len(events) > MAX_BATCH_EVENTS:
            yield group
            group, size = [], 0
        group.append((row, events))
        size += len(events)
    if group:
        yield group


async def _append_group(deps: Deps, group: list[tuple[_Row, list[PendingEvent]]], kind: str) -> None:
    try:
        await deps.log.append_together([event for _, events in group for event in events])
    except (BatchRefused, NatsTimeout, TimeoutError) as refusal:
        # Nothing of the batch was stored (or, after a timeout, perhaps all of it): row by row,
        # each row's own expectation and event ids tell a conflict from a retry.
        log.info("bulk batch of %d rows appended row by row: %s", len(group), refusal)
        await asyncio.gather(*(_append(deps, row, events, kind) for row, events in group))
        return
    for row, _ in group:
        row.outcome = _registered(row)


def _registered(row: _Row) -> RowOutcome:
    return RowOutcome(status=RowStatus.registered, id=row.aggregate_id, region=row.region.code)


async def _append(deps: Deps, row: _Row, events: list[PendingEvent], kind: str) -> None:
    try:
        await deps.log.append(events)
        row.outcome = _registered(row)
    except ConcurrencyConflict as conflict:  # registered by someone else since the history was read
        history = await deps.log.load(kind, row.aggregate_id)
        row.outcome = _already(row, _region_of(kind, history), None) if history.exists else _refused(conflict)
    except AixinError as error:
        row.outcome = _refused(error)
    except Exception:
        row.outcome = _failed(row)


def _region_of(kind: str, history: History) -> str:
    if kind == "child":
        return child_state([stored.event for stored in history.events]).region
    return history.events[-1].envelope.region


def _already(row: _Row, region_code: str, earlier: dict | None) -> RowOutcome:
    if not actor_region(row.uow.command.actor).contains(parse_region(region_code)):
        # Outside the importer's subtree: that the person is on file, not who or where.
        return RowOutcome(status=RowStatus.already_registered, message=REGISTERED_ELSEWHERE)
    name = region_name(parse_region(region_code))
    how = " (by an earlier import of this row)" if earlier else ""
    return RowOutcome(status=RowStatus.already_registered, id=row.aggregate_id, region=region_code,
                      message=f"already registered in {name} ({region_code}){how}")


def _refused(error: AixinError) -> RowOutcome:
    field = ".".join(map(str, error.details[0].loc)) if error.details else None
    if isinstance(error, Forbidden):
        field = "region"  # the row's region is outside the operator's
    return RowOutcome(status=RowStatus.refused, message=error.message, field=field)


def _failed(row: _Row) -> RowOutcome:
    log.exception("bulk registration of row %s failed", row.command.command_id)
    return RowOutcome(status=RowStatus.refused, message="failed unexpectedly; see the service log; "
                      "importing the file again is safe")


def _people(kind: str, row: _Row) -> list[str]:
    guardian = kind == "child" and row.command.guardian is not None
    return [row.aggregate_id, *([f"guardian-of-{row.aggregate_id}"] if guardian else [])]


async def _child_id(deps: Deps, command: RegisterChild) -> str:
    check_child(command, deps.clock().date())  # as in `handlers.register_child`: a wrong number derives no id
    if command.id_number:
        return await child_id_for_id_number(deps.keys, command.id_number)
    guardian = command.guardian.name if command.guardian else None
    return await child_id_for_particulars(deps.keys, parse_region(command.region).code, command.name,
                                          command.birth_date, guardian)


async def _volunteer_id(deps: Deps, command: RecruitVolunteer) -> str:
    if command.phone:
        return await volunteer_id_for_phone(deps.keys, command.name, command.phone)
    return derived_id(command.command_id, "volunteer")


async def _seal_child(deps: Deps, row: _Row) -> list:
    command, child_id = row.command, row.aggregate_id
    personal, guardian = await seal_child(deps.keys, child_id, command)
    return decide_register_child(ChildState(), command, child_id=child_id, region=row.region,
                                 today=row.uow.now.date(), personal=personal, guardian=guardian)


async def _seal_volunteer(deps: Deps, row: _Row) -> list:
    command = row.command
    personal = await deps.keys.seal(row.aggregate_id, {"name": command.name, "phone": command.phone})
    return decide_recruit_volunteer(VolunteerState(), command, volunteer_id=row.aggregate_id,
                                    region=row.region, personal=personal, today=row.uow.now.date())

