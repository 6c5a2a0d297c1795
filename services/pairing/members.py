"""A child's and a volunteer's pairs, folded from pairing's own events on them: which pairs a child
is in (and of which mode), how many children each pair adds to a volunteer's load. Pure.

Pairing writes these events on its own aggregates (`pairing_child`, `pairing_volunteer`); a log
written before it owned them holds them on the child's and the volunteer's own subjects, so the
fold is given the events of both histories (`former_aggregate` names the older one).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import singledispatch

from contracts.envelope import Event
from contracts.pairing.pairs import (ChildJoinedPair, ChildLeftPair, FORMER_AGGREGATES, PairMode,
                                     VolunteerJoinedPair, VolunteerLeftPair)
from services.shared.fold import fold

CHILD_PAIRS = "pairing_child"
VOLUNTEER_PAIRS = "pairing_volunteer"


@dataclass(frozen=True)
class ChildPairs:
    active_pairs: dict[str, PairMode] = field(default_factory=dict)

    @property
    def one_to_one_pair(self) -> str | None:
        return next((p for p, m in self.active_pairs.items() if m is PairMode.one_to_one), None)


@dataclass(frozen=True)
class VolunteerPairs:
    load: dict[str, int] = field(default_factory=dict)  # pair id -> children it counts

    @property
    def children_in_care(self) -> int:
        return sum(self.load.values())


@dataclass(frozen=True)
class Memberships:
    """The pairs of the members of a pair to be formed, by child and volunteer id."""

    children: dict[str, ChildPairs] = field(default_factory=dict)
    volunteers: dict[str, VolunteerPairs] = field(default_factory=dict)

    def of_child(self, child_id: str) -> ChildPairs:
        return self.children.get(child_id, ChildPairs())

    def of_volunteer(self, volunteer_id: str) -> VolunteerPairs:
        return self.volunteers.get(volunteer_id, VolunteerPairs())


def former_aggregate(aggregate_type: str) -> str:
    """The aggregate version 1 of these events was written on: the child or the volunteer."""
    return FORMER_AGGREGATES[aggregate_type]


@singledispatch
def evolve_child_pairs(event: Event, state: ChildPairs) -> ChildPairs:
    return state  # the child's own file, read along with a log of version 1


@evolve_child_pairs.register
def _(event: ChildJoinedPair, state: ChildPairs) -> ChildPairs:
    return replace(state, active_pairs={**state.active_pairs, event.pair_id: event.mode})


@evolve_child_pairs.register
def _(event: ChildLeftPair, state: ChildPairs) -> ChildPairs:
    return replace(state, active_pairs={p: m for p, m in state.active_pairs.items() if p != event.pair_id})


@singledispatch
def evolve_volunteer_pairs(event: Event, state: VolunteerPairs) -> VolunteerPairs:
    return state


@evolve_volunteer_pairs.register
def _(event: VolunteerJoinedPair, state: VolunteerPairs) -> VolunteerPairs:
    return replace(state, load={**state.load, event.pair_id: event.children})


@evolve_volunteer_pairs.register
def _(event: VolunteerLeftPair, state: VolunteerPairs) -> VolunteerPairs:
    return replace(state, load={p: n for p, n in state.load.items() if p != event.pair_id})


def child_pairs(events: list[Event]) -> ChildPairs:
    return fold(evolve_child_pairs, ChildPairs(), events)


def volunteer_pairs(events: list[Event]) -> VolunteerPairs:
    return fold(evolve_volunteer_pairs, VolunteerPairs(), events)
