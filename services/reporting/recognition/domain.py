"""最美爱心妈妈, pure: who may nominate whom for which year, who may award or decline, and the
nomination's state folded from its events.

A nomination is made by a district/county or street/town office, of a volunteer on file within its
subtree and not withdrawn, for a year begun by the day it is made; once per volunteer and year. It
is reviewed — awarded or declined, once — by a city or province office whose subtree holds the
volunteer (so it stands above the office that nominated her), on a day not before the nomination.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch

from contracts.envelope import Actor, Event, FederationLevel
from contracts.regions import parse_region
from contracts.reporting.recognition import (AWARDING_LEVELS, NOMINATING_LEVELS, AwardVolunteer, DeclineNomination,
                                             NominateVolunteer, NominationDeclined, VolunteerAwarded,
                                             VolunteerNominated)
from services.intake.domain import VolunteerState
from services.shared.authority import actor_region, require_within
from services.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated
from services.shared.fold import fold

NOMINATED, AWARDED, DECLINED = "nominated", "awarded", "declined"


@dataclass(frozen=True)
class Nomination:
    nomination_id: str = ""
    exists: bool = False
    volunteer_id: str = ""
    year: int = 0
    region: str = ""
    nominated_by: str = ""
    nominated_on: date = date.min
    status: str = ""
    decided_on: date | None = None


def _levels(levels: tuple[FederationLevel, ...]) -> str:
    return " or ".join(f"{level.value}" for level in levels)


def _require_level(actor: Actor, levels: tuple[FederationLevel, ...], what: str) -> None:
    region = actor_region(actor)
    if region.level not in levels:
        raise Forbidden(f"{what} is for a {_levels(levels)} office; operator {actor.operator_id} acts for "
                        f"the {region.level.value} office {actor.region}")


def _day(field: str, day: date | None, today: date, not_before: date | None = None) -> date:
    day = day or today
    if day > today:
        raise InvalidCommand(field, f"{day} is in the future (today is {today})")
    if not_before is not None and day < not_before:
        raise InvalidCommand(field, f"{day} is before the volunteer was nominated on {not_before}")
    return day


def decide_nominate(nomination: Nomination, volunteer: VolunteerState, command: NominateVolunteer, *,
                    nomination_id: str, today: date) -> list[Event]:
    _require_level(command.actor, NOMINATING_LEVELS, "a nomination")
    if not volunteer.exists:
        raise NotFound(f"volunteer {command.volunteer_id} is not recruited")
    require_within(command.actor, parse_region(volunteer.region), f"volunteer {command.volunteer_id}")
    nominated_on = _day("nominated_on", command.nominated_on, today)
    if command.year > nominated_on.year:
        raise InvalidCommand("year", f"{command.year} has not begun on {nominated_on}: a volunteer is "
                                     f"nominated for a year begun")
    if volunteer.withdrawn:
        raise RuleViolated(f"volunteer {command.volunteer_id} has withdrawn: she cannot be nominated")
    if nomination.exists:
        raise RuleViolated(f"volunteer {command.volunteer_id} was already nominated for {command.year} by office "
                           f"{nomination.nominated_by} on {nomination.nominated_on} ({nomination.status}): "
                           f"one nomination per volunteer and year")
    return [VolunteerNominated(
        nomination_id=nomination_id, volunteer_id=command.volunteer_id, year=command.year, region=volunteer.region,
        nominated_by=actor_region(command.actor).code, nominator_level=command.actor.level,
        nominated_on=nominated_on, record=command.record)]


def _require_reviewer(nomination: Nomination, actor: Actor, nomination_id: str) -> None:
    if not nomination.exists:
        raise NotFound(f"nomination {nomination_id} does not exist")
    _require_level(actor, AWARDING_LEVELS, "reviewing a nomination")
    require_within(actor, parse_region(nomination.region), f"nomination {nomination_id}")
    if nomination.status != NOMINATED:
        raise RuleViolated(f"nomination {nomination_id} was already {nomination.status} on {nomination.decided_on}")


def decide_award(nomination: Nomination, volunteer: VolunteerState, command: AwardVolunteer, *,
                 today: date) -> list[Event]:
    _require_reviewer(nomination, command.actor, command.nomination_id)
    awarded_on = _day("awarded_on", command.awarded_on, today, nomination.nominated_on)
    if volunteer.withdrawn:
        raise RuleViolated(f"volunteer {nomination.volunteer_id} has withdrawn since she was nominated: "
                           f"decline the nomination instead")
    return [VolunteerAwarded(nomination_id=command.nomination_id, volunteer_id=nomination.volunteer_id,
                             year=nomination.year, awarded_by=actor_region(command.actor).code,
                             level=command.actor.level, awarded_on=awarded_on)]


def decide_decline(nomination: Nomination, command: DeclineNomination, *, today: date) -> list[Event]:
    _require_reviewer(nomination, command.actor, command.nomination_id)
    declined_on = _day("declined_on", command.declined_on, today, nomination.nominated_on)
    return [NominationDeclined(nomination_id=command.nomination_id, volunteer_id=nomination.volunteer_id,
                               year=nomination.year, declined_by=actor_region(command.actor).code,
                               level=command.actor.level, declined_on=declined_on, reason=command.reason)]


@singledispatch
def evolve(event: Event, nomination: Nomination) -> Nomination:
    return nomination


@evolve.register
def _(event: VolunteerNominated, nomination: Nomination) -> Nomination:
    return Nomination(event.nomination_id, True, event.volunteer_id, event.year, event.region, event.nominated_by,
                      event.nominated_on, NOMINATED)


@evolve.register
def _(event: VolunteerAwarded, nomination: Nomination) -> Nomination:
    return replace(nomination, status=AWARDED, decided_on=event.awarded_on)


@evolve.register
def _(event: NominationDeclined, nomination: Nomination) -> Nomination:
    return replace(nomination, status=DECLINED, decided_on=event.declined_on)


def nomination_state(events: list[Event]) -> Nomination:
    return fold(evolve, Nomination(), events)
