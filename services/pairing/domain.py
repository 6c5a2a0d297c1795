"""Pairs: pure decide and evolve. Invariants are checked against the aggregates' own histories."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch

from contracts.child_file import ConsentScope

from contracts.envelope import Event
from contracts.pairing import (ChildJoinedPair, ChildLeftPair, EndPair, FormPair, PairEnded,
                               PairFormed, PairMode, VolunteerJoinedPair, VolunteerLeftPair)
from services.intake.domain import ChildState, VolunteerState
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

# How many children and volunteers each mode takes: (min, max) or None for no upper bound.
CONSENT_AGE = 14  # below it, pairing needs the guardian's separate consent (sensitive data of a minor)

SHAPES: dict[PairMode, tuple[tuple[int, int | None], tuple[int, int | None]]] = {
    PairMode.one_to_one: ((1, 1), (1, 1)),
    PairMode.one_to_many: ((2, None), (1, 1)),
    PairMode.many_to_one: ((1, 1), (2, None)),
    PairMode.collective: ((2, None), (1, None)),
    PairMode.family: ((1, 1), (1, 1)),
}


@dataclass(frozen=True)
class PairState:
    pair_id: str = ""
    exists: bool = False
    active: bool = False
    region: str = ""
    mode: PairMode = PairMode.one_to_one
    child_ids: tuple[str, ...] = ()
    volunteer_ids: tuple[str, ...] = ()


def decide_form_pair(
    pair: PairState, command: FormPair, *, pair_id: str,
    children: dict[str, ChildState], volunteers: dict[str, VolunteerState], today: date,
) -> list[Event]:
    if pair.exists:
        raise RuleViolated(f"pair {pair_id} already exists")
    _check_shape(command)
    _check_known(children, volunteers)
    for child in children.values():
        _check_child_may_be_paired(child, today)
        _check_child_free(child, command.mode)
    load = 0 if command.mode is PairMode.collective else len(children)
    for volunteer in volunteers.values():
        _check_volunteer(volunteer, command.mode, load)
    region = children[command.child_ids[0]].region
    return [
        PairFormed(pair_id=pair_id, mode=command.mode, region=region,
                   child_ids=tuple(command.child_ids), volunteer_ids=tuple(command.volunteer_ids)),
        *(ChildJoinedPair(child_id=c, pair_id=pair_id, mode=command.mode) for c in command.child_ids),
        *(VolunteerJoinedPair(volunteer_id=v, pair_id=pair_id, mode=command.mode, children=load)
          for v in command.volunteer_ids),
    ]


def decide_end_pair(pair: PairState, command: EndPair) -> list[Event]:
    if not pair.exists:
        raise NotFound(f"pair {command.pair_id} does not exist")
    if not pair.active:
        raise RuleViolated(f"pair {command.pair_id} has already ended")
    load = 0 if pair.mode is PairMode.collective else len(pair.child_ids)
    return [
        PairEnded(pair_id=pair.pair_id, reason=command.reason),
        *(ChildLeftPair(child_id=c, pair_id=pair.pair_id, reason=command.reason) for c in pair.child_ids),
        *(VolunteerLeftPair(volunteer_id=v, pair_id=pair.pair_id, reason=command.reason, children=load)
          for v in pair.volunteer_ids),
    ]


def _check_shape(command: FormPair) -> None:
    if len(set(command.child_ids)) != len(command.child_ids):
        raise InvalidCommand("child_ids", "a child is listed twice")
    if len(set(command.volunteer_ids)) != len(command.volunteer_ids):
        raise InvalidCommand("volunteer_ids", "a volunteer is listed twice")
    (cmin, cmax), (vmin, vmax) = SHAPES[command.mode]
    for field, count, low, high in (("child_ids", len(command.child_ids), cmin, cmax),
                                    ("volunteer_ids", len(command.volunteer_ids), vmin, vmax)):
        if count < low or (high is not None and count > high):
            bound = f"exactly {low}" if low == high else f"at least {low}" + (f" and at most {high}" if high else "")
            raise InvalidCommand(field, f"a {command.mode} pair takes {bound}, got {count}")


def _check_known(children: dict[str, ChildState], volunteers: dict[str, VolunteerState]) -> None:
    for child_id, child in children.items():
        if not child.exists:
            raise NotFound(f"child {child_id} is not registered")
    for volunteer_id, volunteer in volunteers.items():
        if not volunteer.exists:
            raise NotFound(f"volunteer {volunteer_id} is not recruited")


def _check_child_may_be_paired(child: ChildState, today: date) -> None:
    if child.exited:
        raise RuleViolated(f"child {child.child_id} left the programme ({child.exited})")
    age = child.age_on(today)
    if age < CONSENT_AGE and ConsentScope.pairing not in child.consents:
        raise RuleViolated(
            f"child {child.child_id} is {age}: pairing a child under {CONSENT_AGE} needs the guardian's "
            f"consent to pairing, and none is on file"
        )


def _check_child_free(child: ChildState, mode: PairMode) -> None:
    if mode is PairMode.one_to_one and child.one_to_one_pair:
        raise RuleViolated(
            f"child {child.child_id} already has an active one-to-one pair ({child.one_to_one_pair})"
        )


def _check_volunteer(volunteer: VolunteerState, mode: PairMode, new_children: int) -> None:
    if volunteer.withdrawn:
        raise RuleViolated(f"volunteer {volunteer.volunteer_id} has withdrawn")
    if volunteer.missing_training:
        raise RuleViolated(
            f"volunteer {volunteer.volunteer_id} is in the reserve pool: required training not "
            f"completed ({', '.join(volunteer.missing_training)})"
        )
    if mode is PairMode.family and volunteer.kind != "family":
        raise RuleViolated(f"volunteer {volunteer.volunteer_id} is a {volunteer.kind}, not a caring family")
    if volunteer.children_in_care + new_children > volunteer.capacity:
        raise RuleViolated(
            f"volunteer {volunteer.volunteer_id} cares for {volunteer.children_in_care} of "
            f"{volunteer.capacity} children already; {new_children} more would exceed the capacity"
        )


@singledispatch
def evolve_pair(event: Event, state: PairState) -> PairState:
    return state


@evolve_pair.register
def _(event: PairFormed, state: PairState) -> PairState:
    return PairState(event.pair_id, True, True, event.region, event.mode, event.child_ids,
                     event.volunteer_ids)


@evolve_pair.register
def _(event: PairEnded, state: PairState) -> PairState:
    return replace(state, active=False)


def pair_state(events: list[Event]) -> PairState:
    state = PairState()
    for event in events:
        state = evolve_pair(event, state)
    return state
