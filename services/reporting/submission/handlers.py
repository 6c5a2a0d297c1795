"""Submission handlers: load the office's month (and, to submit it, its sub-offices' months of the
same month), decide, append. The figures came with the command, filled in by the platform (the HTTP
API reads them from the read side; a body cannot name them): a context never reads a read model."""

from __future__ import annotations

import os
from typing import Any

from contracts.regions import InvalidRegion, Region, known_region
from contracts.reporting.submission import (AcceptSubmission, AdjustMonth, ReturnSubmission, SubmitMonth,
                                            submission_id)
from services.reporting.submission import domain
from services.reporting.submission.deadlines import ENV, parse_days
from services.shared.authority import actor_region, require_within
from services.shared.errors import Forbidden, InvalidCommand
from services.shared.unit_of_work import Deps, UnitOfWork

AGGREGATE = "submission"


def _office(code: str) -> Region:
    try:
        return known_region(code)
    except InvalidRegion as error:
        raise InvalidCommand("office", str(error)) from None


async def _month(uow: UnitOfWork, office: Region, month: str) -> domain.Submission:
    return await uow.state(AGGREGATE, submission_id(domain.office_code(office), month), domain.submission_state)


async def submit_month(deps: Deps, command: SubmitMonth) -> dict[str, Any]:
    """By the office itself: its own month, nobody else's."""
    office = _office(command.office)
    if actor_region(command.actor) != office:
        raise Forbidden(f"operator {command.actor.operator_id} of {command.actor.region} may not submit the month "
                        f"of {domain.office_code(office)}: an office submits its own")
    uow = UnitOfWork(deps, command)
    state = await _month(uow, office, command.month)

    async def decide():
        subs = {}
        for code in command.sub_offices:  # a district's towns are a few dozen at most, a country's provinces 34
            subs[code] = (await _month(uow, _office(code), command.month)).status
        return domain.decide_submit(state, command, office, today=uow.now.date(), sub_offices=subs,
                                    days=parse_days(os.environ.get(ENV)))
    return await uow.decide_and_commit(decide, submission_id=submission_id(domain.office_code(office), command.month))


async def return_submission(deps: Deps, command: ReturnSubmission) -> dict[str, Any]:
    return await _review(deps, command, command.reason)


async def accept_submission(deps: Deps, command: AcceptSubmission) -> dict[str, Any]:
    return await _review(deps, command, None)


async def _review(deps: Deps, command: ReturnSubmission | AcceptSubmission, reason: str | None) -> dict[str, Any]:
    office = _office(command.office)
    uow = UnitOfWork(deps, command)
    state = await _month(uow, office, command.month)
    return await uow.decide_and_commit(
        lambda: domain.decide_review(state, office, actor_region(command.actor), command.month,
                                     today=uow.now.date(), reason=reason),
        submission_id=submission_id(domain.office_code(office), command.month))


async def adjust_month(deps: Deps, command: AdjustMonth) -> dict[str, Any]:
    """By the platform's adjustment process, or by anyone of the office or above who asks."""
    office = _office(command.office)
    require_within(command.actor, office, "this office's months")
    uow = UnitOfWork(deps, command)
    state = await _month(uow, office, command.month)
    ids = {"submission_id": submission_id(domain.office_code(office), command.month)}
    if earlier := uow.earlier_result():
        return {**ids, **earlier}
    events = domain.decide_adjust(state, command, office, today=uow.now.date())
    if not events:  # the figures agree with those accepted and adjusted: nothing to record
        return {**ids, "command_id": command.command_id, "duplicate": False, "events": []}
    return {**ids, **await uow.commit(events)}
