"""Pairing: volunteers and children linked in a pair (结对).

Forming a pair writes one event on each aggregate it touches (the pair, every child's pairs, every
volunteer's pairs) in one atomic batch, each with its own expected sequence: two operators pairing
the same child at the same moment cannot both succeed, and no reader ever sees half a pair.

A child's and a volunteer's pairs are pairing's own aggregates (`pairing_child`, `pairing_volunteer`,
keyed by the person's id and owned by her region), apart from intake's child and volunteer: each
context writes only its own aggregates. Version 1 of the membership events was written on the child
and the volunteer themselves; read through the upcaster it names the region of its envelope, and
pairing reads a person's pairs from both subjects (`services.pairing.members`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.commands import Command, Id
from contracts.envelope import Event


class PairMode(StrEnum):
    one_to_one = "one_to_one"
    one_to_many = "one_to_many"
    many_to_one = "many_to_one"
    collective = "collective"
    family = "family"


def children_counted(mode: PairMode, children: int) -> int:
    """What a pair adds to each volunteer's load: a collective pair takes no individual capacity."""
    return 0 if mode is PairMode.collective else children


class PairEndReason(StrEnum):
    aged_out = "aged_out"
    moved = "moved"
    volunteer_withdrew = "volunteer_withdrew"
    consent_withdrawn = "consent_withdrawn"
    mismatch = "mismatch"
    other = "other"


class FormPair(Command):
    pair_id: Id | None = None
    mode: PairMode = PairMode.one_to_one
    child_ids: list[Id] = Field(min_length=1, max_length=50)
    volunteer_ids: list[Id] = Field(min_length=1, max_length=50)
    formed_on: date | None = Field(default=None, description=(
        "the day the pair was formed (an agreement signed before it was recorded); default: today. "
        "Not in the future, nor before any of its children was born"))


class EndPair(Command):
    pair_id: Id
    reason: PairEndReason
    ended_on: date | None = Field(default=None, description=(
        "the day the pair ended, not before it was formed; default: today. Not in the future"))


class PairFormed(Event):
    """v2: the day the pair was formed. Read through the upcaster, a v1 event (which had none) was
    formed on the day of its envelope's `occurred_at`, the day it was recorded."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pair"

    pair_id: str
    mode: PairMode
    region: str = Field(description="the (first) child's region: the pair is owned there")
    child_ids: tuple[str, ...]
    volunteer_ids: tuple[str, ...]
    formed_on: date | None = Field(default=None, description=(
        "the day the pair was formed; care for it is logged from that day on"))


class PairEnded(Event):
    """v2: the day it ended (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pair"

    pair_id: str
    reason: PairEndReason
    ended_on: date | None = Field(default=None, description=(
        "the day the pair ended; None: the day the event was recorded"))


class ChildJoinedPair(Event):
    """v2: on pairing's own aggregate of the child's pairs, in the child's region (v1: on the child)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pairing_child"
    keyed_by: ClassVar[str] = "child"

    child_id: str
    region: str = Field(description="the child's region when she joined")
    pair_id: str
    mode: PairMode


class ChildLeftPair(Event):
    """v2: as ChildJoinedPair."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pairing_child"
    keyed_by: ClassVar[str] = "child"

    child_id: str
    region: str = Field(description="the child's region when she left")
    pair_id: str
    reason: PairEndReason


class VolunteerJoinedPair(Event):
    """v2: on pairing's own aggregate of the volunteer's pairs, in her region (v1: on the volunteer)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pairing_volunteer"
    keyed_by: ClassVar[str] = "volunteer"

    volunteer_id: str
    region: str = Field(description="the volunteer's region")
    pair_id: str
    mode: PairMode
    children: int = Field(description="children this pair adds to the volunteer's load")


class VolunteerLeftPair(Event):
    """v2: as VolunteerJoinedPair."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pairing_volunteer"
    keyed_by: ClassVar[str] = "volunteer"

    volunteer_id: str
    region: str = Field(description="the volunteer's region")
    pair_id: str
    reason: PairEndReason
    children: int


# The aggregate each membership event was written on in version 1, before pairing owned it.
FORMER_AGGREGATES = {"pairing_child": "child", "pairing_volunteer": "volunteer"}
