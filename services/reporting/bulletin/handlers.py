"""The bulletin's command handler: an office's card thresholds, set by an operator of the office or
of one above it; load the office's settings, decide, append."""

from __future__ import annotations

from typing import Any

from contracts.regions import InvalidRegion, known_region
from contracts.reporting.bulletin import SetCardThresholds
from services.reporting.bulletin.thresholds import decide_set_thresholds, office_id, office_settings
from services.shared.authority import require_within
from services.shared.errors import InvalidCommand
from services.shared.unit_of_work import Deps, UnitOfWork

AGGREGATE = "card_thresholds"


async def set_card_thresholds(deps: Deps, command: SetCardThresholds) -> dict[str, Any]:
    try:
        office = known_region(command.office)
    except InvalidRegion as error:
        raise InvalidCommand("office", str(error)) from None
    require_within(command.actor, office, "the card thresholds of this office")
    uow = UnitOfWork(deps, command)
    state = await uow.state(AGGREGATE, office_id(office), office_settings)
    ids = {"office": office_id(office)}
    if earlier := uow.earlier_result():
        return {**ids, **earlier}
    events = decide_set_thresholds(state, command, office=office, today=uow.now.date())
    if not events:  # the same thresholds from the same month: nothing to record
        return {**ids, "command_id": command.command_id, "duplicate": False, "events": []}
    return {**ids, **await uow.commit(events)}
