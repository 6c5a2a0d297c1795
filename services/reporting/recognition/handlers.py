"""最美爱心妈妈 handlers: load the nomination (its id made of the volunteer and the year) and the
volunteer's file (intake's, read only), decide, append.

A second nomination of the same volunteer for the same year names the same aggregate, so it is
refused by the decision, or, sent at the same moment from another office, by the log's check of the
new aggregate's subjects in every region (`UnitOfWork.pending`): one of the two stands."""

from __future__ import annotations

from typing import Any

from contracts.reporting.recognition import AwardVolunteer, DeclineNomination, NominateVolunteer, nomination_id
from services.intake.domain import volunteer_state
from services.reporting.recognition import domain as recognition
from services.reporting.recognition.domain import nomination_state
from services.shared.unit_of_work import Deps, UnitOfWork

NOMINATION = "nomination"


async def nominate_volunteer(deps: Deps, command: NominateVolunteer) -> dict[str, Any]:
    the_id = nomination_id(command.volunteer_id, command.year)
    uow = UnitOfWork(deps, command)
    nomination = await uow.state(NOMINATION, the_id, nomination_state)
    volunteer = await uow.state("volunteer", command.volunteer_id, volunteer_state)
    return await uow.decide_and_commit(
        lambda: recognition.decide_nominate(nomination, volunteer, command, nomination_id=the_id,
                                            today=uow.now.date()),
        nomination_id=the_id)


async def award_volunteer(deps: Deps, command: AwardVolunteer) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    nomination = await uow.state(NOMINATION, command.nomination_id, nomination_state)
    volunteer = await uow.state("volunteer", nomination.volunteer_id, volunteer_state) if nomination.exists \
        else volunteer_state([])
    return await uow.decide_and_commit(
        lambda: recognition.decide_award(nomination, volunteer, command, today=uow.now.date()),
        nomination_id=command.nomination_id)


async def decline_nomination(deps: Deps, command: DeclineNomination) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    nomination = await uow.state(NOMINATION, command.nomination_id, nomination_state)
    return await uow.decide_and_commit(
        lambda: recognition.decide_decline(nomination, command, today=uow.now.date()),
        nomination_id=command.nomination_id)
