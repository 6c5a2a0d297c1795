"""Children and volunteers: pure decide and evolve, no I/O (the clock and sealed data come in)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch

from contracts.intake.child_file import (ChildExited, ChildNeedsSurveyed, ChildPlaceCompleted,
                                         ChildTransferredIn, ChildTransferredOut, ConsentScope, ExitReason,
                                         GuardianConsentGiven, GuardianConsentWithdrawn, NeedKind)
from contracts.envelope import Event
from contracts.intake.registration import ChildRegistered, RecruitVolunteer, RegisterChild, VolunteerRecruited
from contracts.privacy import Sealed
from contracts.regions import Region
from contracts.intake.volunteers import (REQUIRED_TRAINING, TrainingTopic, VolunteerCertified,
                                         VolunteerTrained, VolunteerWithdrew)
from services.intake.idcard import InvalidIdNumber, parse_id_number
from services.shared.days import day_of, not_before
from services.shared.errors import InvalidCommand, RuleViolated
from services.shared.fold import fold

ADULT_AGE = 18


@dataclass(frozen=True)
class ChildState:
    child_id: str = ""
    exists: bool = False
    region: str = ""
    birth_date: date | None = None
    registration: ChildRegistered | ChildTransferredIn | None = None  # the file's standing facts
    needs: tuple[NeedKind, ...] = ()
    consents: frozenset[ConsentScope] = frozenset()
    exited: ExitReason | None = None
    registered_on: date | None = None  # None: registered by an event read without its day
    since: date | None = None  # the last day her file's standing changed: registered, or moved

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day) if self.birth_date else 0


@dataclass(frozen=True)
class VolunteerState:
    volunteer_id: str = ""
    exists: bool = False
    region: str = ""
    kind: str = ""
    capacity: int = 0
    trained: frozenset[TrainingTopic] = frozenset()
    certifications: tuple[str, ...] = ()
    withdrawn: bool = False
    recruited_on: date | None = None
    staff: bool = False

    @property
    def missing_training(self) -> list[TrainingTopic]:
        return [topic for topic in REQUIRED_TRAINING if topic not in self.trained]

    @property
    def in_pairing_pool(self) -> bool:
        """Trained, not withdrawn: may be paired (else the volunteer is in the reserve pool)."""
        return self.exists and not self.withdrawn and not self.missing_training


# Said to an office outside whose subtree the person is on file: that she is, not who or where, so
# that registering is no way to learn whether a child is known elsewhere, or where she lives.
REGISTERED_ELSEWHERE = ("this person is already registered by another federation office; that office "
                        "can transfer them to yours")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def decide_register_child(
    state: ChildState, command: RegisterChild, *, child_id: str, region: Region, today: date,
    personal: Sealed, guardian: Sealed | None,
) -> list[Event]:
    if state.exists:
        raise RuleViolated(f"child {child_id} is already registered in region {state.region}")
    check_child(command, today)
    registered_on = day_of("registered_on", command.registered_on, today)
    not_before("registered_on", registered_on, command.birth_date, "she was born")
    return [ChildRegistered(
        child_id=child_id, region=region.code, sex=command.sex, birth_date=command.birth_date,
        category=command.category, subtype=command.subtype, grade=command.grade, personal=personal,
        guardian_relation=command.guardian.relation if command.guardian else None, guardian=guardian,
        registered_on=registered_on,
    )]


def check_child(command: RegisterChild, today: date) -> None:
    """The command's own facts, before any state: a birth date of a child, an ID number that agrees."""
    if command.birth_date > today:
        raise InvalidCommand("birth_date", f"{command.birth_date} is in the future")
    age = age_on(command.birth_date, today)
    if age >= ADULT_AGE:
        raise InvalidCommand("birth_date", f"the child is {age}; the programme is for children under 18")
    check_id_number(command)  # after the birth date's own checks: that field is then wrong itself


def check_id_number(command: RegisterChild) -> None:
    """The number the import checks, checked the same on every path: a typed number with a wrong
    digit would otherwise derive another child's id, or a second id for the same child."""
    if not command.id_number:
        return
    try:
        card = parse_id_number(command.id_number)
    except InvalidIdNumber as error:
        raise InvalidCommand("id_number", str(error)) from None
    if card.birth_date != command.birth_date:
        raise InvalidCommand("id_number", f"the number gives the birth date {card.birth_date}, "
                             f"the command's birth_date is {command.birth_date}")
    if card.sex is not command.sex:
        raise InvalidCommand("id_number", f"the number's 17th digit gives sex {card.sex}, "
                             f"the command's sex is {command.sex}")


def decide_recruit_volunteer(
    state: VolunteerState, command: RecruitVolunteer, *, volunteer_id: str, region: Region,
    personal: Sealed, today: date,
) -> list[Event]:
    if state.exists:
        raise RuleViolated(f"volunteer {volunteer_id} is already recruited")
    recruited_on = day_of("recruited_on", command.recruited_on, today)
    return [VolunteerRecruited(
        volunteer_id=volunteer_id, region=region.code, sex=command.sex, kind=command.kind,
        volunteer_type=command.volunteer_type, specialties=tuple(command.specialties),
        capacity=command.capacity, team_id=command.team_id, personal=personal, staff=command.staff,
        recruited_on=recruited_on,
    )]


@singledispatch
def evolve_child(event: Event, state: ChildState) -> ChildState:
    # Events of later versions, or of other contexts stored on the child by earlier versions (her
    # pairs, which are pairing's: services.pairing.members), leave this state as it is.
    return state


@evolve_child.register
def _(event: ChildRegistered, state: ChildState) -> ChildState:
    return ChildState(event.child_id, True, event.region, event.birth_date, registration=event,
                      registered_on=event.registered_on, since=event.registered_on)


@evolve_child.register
def _(event: ChildNeedsSurveyed, state: ChildState) -> ChildState:
    return replace(state, needs=event.needs)


@evolve_child.register
def _(event: GuardianConsentGiven, state: ChildState) -> ChildState:
    return replace(state, consents=state.consents | set(event.scopes))


@evolve_child.register
def _(event: GuardianConsentWithdrawn, state: ChildState) -> ChildState:
    return replace(state, consents=state.consents - set(event.scopes))


@evolve_child.register
def _(event: ChildTransferredOut, state: ChildState) -> ChildState:
    return state  # the region changes with the matching ChildTransferredIn


@evolve_child.register
def _(event: ChildTransferredIn, state: ChildState) -> ChildState:
    return replace(state, region=event.region, registration=event,
                   registered_on=state.registered_on or event.registered_on,
                   since=event.transferred_on or state.since)


@evolve_child.register
def _(event: ChildPlaceCompleted, state: ChildState) -> ChildState:
    return replace(state, region=event.region)  # the file's standing facts are the registration's


@evolve_child.register
def _(event: ChildExited, state: ChildState) -> ChildState:
    return replace(state, exited=event.reason)


@singledispatch
def evolve_volunteer(event: Event, state: VolunteerState) -> VolunteerState:
    return state


@evolve_volunteer.register
def _(event: VolunteerRecruited, state: VolunteerState) -> VolunteerState:
    return VolunteerState(event.volunteer_id, True, event.region, event.kind, event.capacity,
                          recruited_on=event.recruited_on, staff=event.staff)


@evolve_volunteer.register
def _(event: VolunteerTrained, state: VolunteerState) -> VolunteerState:
    return replace(state, trained=state.trained | {event.topic})


@evolve_volunteer.register
def _(event: VolunteerCertified, state: VolunteerState) -> VolunteerState:
    return replace(state, certifications=(*state.certifications, event.certification))


@evolve_volunteer.register
def _(event: VolunteerWithdrew, state: VolunteerState) -> VolunteerState:
    return replace(state, withdrawn=True)


def child_state(events: list[Event]) -> ChildState:
    return fold(evolve_child, ChildState(), events)


def volunteer_state(events: list[Event]) -> VolunteerState:
    return fold(evolve_volunteer, VolunteerState(), events)
