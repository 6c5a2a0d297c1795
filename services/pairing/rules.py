"""The invariants every pair must meet, as small named checks over the members' own histories.

Used when a pair is formed directly, when it is proposed (to refuse early what could never be
approved) and again when it is approved, since the members may have changed in between.
"""

from __future__ import annotations

from datetime import date

from contracts.intake.child_file import ConsentScope
from contracts.pairing.pairs import PairMode, children_counted
from services.intake.domain import ChildState, VolunteerState
from services.pairing.members import ChildPairs, Memberships, VolunteerPairs
from services.shared.days import not_before
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

CONSENT_AGE = 14  # below it, pairing needs the guardian's separate consent (sensitive data of a minor)

# How many children and volunteers each mode takes: (min, max) or None for no upper bound.
SHAPES: dict[PairMode, tuple[tuple[int, int | None], tuple[int, int | None]]] = {
    PairMode.one_to_one: ((1, 1), (1, 1)),
    PairMode.one_to_many: ((2, None), (1, 1)),
    PairMode.many_to_one: ((1, 1), (2, None)),
    PairMode.collective: ((2, None), (1, None)),
    PairMode.family: ((1, 1), (1, 1)),
}


def check_shape(mode: PairMode, child_ids: list[str], volunteer_ids: list[str]) -> None:
    if len(set(child_ids)) != len(child_ids):
        raise InvalidCommand("child_ids", "a child is listed twice")
    if len(set(volunteer_ids)) != len(volunteer_ids):
        raise InvalidCommand("volunteer_ids", "a volunteer is listed twice")
    (cmin, cmax), (vmin, vmax) = SHAPES[mode]
    for field, count, low, high in (("child_ids", len(child_ids), cmin, cmax),
                                    ("volunteer_ids", len(volunteer_ids), vmin, vmax)):
        if count < low or (high is not None and count > high):
            bound = f"exactly {low}" if low == high else f"at least {low}" + (f" and at most {high}" if high else "")
            raise InvalidCommand(field, f"a {mode} pair takes {bound}, got {count}")


def check_members(mode: PairMode, children: dict[str, ChildState], volunteers: dict[str, VolunteerState],
                  pairs: Memberships, today: date) -> int:
    """Every member known and free to join a pair of this mode; returns the load per volunteer."""
    check_known(children, volunteers)
    for child_id, child in children.items():
        check_child_may_be_paired(child, today)
        check_child_free(child_id, pairs.of_child(child_id), mode)
    load = children_counted(mode, len(children))
    for volunteer_id, volunteer in volunteers.items():
        check_volunteer(volunteer, pairs.of_volunteer(volunteer_id), mode, load)
    return load


def check_formed_on(formed_on: date, today: date, children: dict[str, ChildState],
                    volunteers: dict[str, VolunteerState] | None = None, field: str = "formed_on") -> None:
    """A pair is formed no later than today, not before any of its children was born, nor before
    its children were registered (or last moved) and its volunteers recruited: on no day is there a
    pair whose members were not on file."""
    if formed_on > today:
        raise InvalidCommand(field, f"{formed_on} is in the future")
    for child in children.values():
        if child.birth_date is not None and formed_on < child.birth_date:
            raise InvalidCommand(field, f"{formed_on} is before child {child.child_id} was born "
                                        f"({child.birth_date})")
        not_before(field, formed_on, child.since, f"child {child.child_id} was registered (or last moved)")
    for volunteer in (volunteers or {}).values():
        not_before(field, formed_on, volunteer.recruited_on, f"volunteer {volunteer.volunteer_id} was recruited")


def check_known(children: dict[str, ChildState], volunteers: dict[str, VolunteerState]) -> None:
    for child_id, child in children.items():
        if not child.exists:
            raise NotFound(f"child {child_id} is not registered")
    for volunteer_id, volunteer in volunteers.items():
        if not volunteer.exists:
            raise NotFound(f"volunteer {volunteer_id} is not recruited")


def check_child_may_be_paired(child: ChildState, today: date) -> None:
    if child.exited:
        raise RuleViolated(f"child {child.child_id} left the programme ({child.exited})")
    age = child.age_on(today)
    if age < CONSENT_AGE and ConsentScope.pairing not in child.consents:
        raise RuleViolated(
            f"child {child.child_id} is {age}: pairing a child under {CONSENT_AGE} needs the guardian's "
            f"consent to pairing, and none is on file"
        )


def check_child_free(child_id: str, pairs: ChildPairs, mode: PairMode) -> None:
    if mode is PairMode.one_to_one and pairs.one_to_one_pair:
        raise RuleViolated(
            f"child {child_id} already has an active one-to-one pair ({pairs.one_to_one_pair})"
        )


def check_volunteer(volunteer: VolunteerState, pairs: VolunteerPairs, mode: PairMode, new_children: int) -> None:
    if volunteer.withdrawn:
        raise RuleViolated(f"volunteer {volunteer.volunteer_id} has withdrawn")
    if volunteer.missing_training:
        raise RuleViolated(
            f"volunteer {volunteer.volunteer_id} is in the reserve pool: required training not "
            f"completed ({', '.join(volunteer.missing_training)})"
        )
    if mode is PairMode.family and volunteer.kind != "family":
        raise RuleViolated(f"volunteer {volunteer.volunteer_id} is a {volunteer.kind}, not a caring family")
    if pairs.children_in_care + new_children > volunteer.capacity:
        raise RuleViolated(
            f"volunteer {volunteer.volunteer_id} cares for {pairs.children_in_care} of "
            f"{volunteer.capacity} children already; {new_children} more would exceed the capacity"
        )
