"""Pair proposals and their approval: the way a suggested or hand-picked pair becomes active.

A proposal is written on the pair aggregate only: it reserves no child and no volunteer capacity,
so several alternatives for one child may stand side by side and an abandoned proposal blocks
nobody. Approval by the owning federation level re-checks every invariant on the members' own
histories and writes, in one atomic batch with expected sequences, `PairApproved` followed by the
very events a direct formation writes (`PairFormed`, `ChildJoinedPair`, `VolunteerJoinedPair`):
every consumer of pairs (statistics, visits, provincial systems) sees an approved pair exactly as
it sees one formed directly.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.commands import Command, Id
from contracts.envelope import Event, FederationLevel
from contracts.pairing.pairs import PairMode


class ProposalDropReason(StrEnum):
    """Why a proposal was rejected or withdrawn (a code, never free text about a family)."""

    mismatch = "mismatch"
    consent_missing = "consent_missing"
    volunteer_unavailable = "volunteer_unavailable"
    child_unavailable = "child_unavailable"
    better_match = "better_match"
    other = "other"


# --- commands ---

class ProposePair(Command):
    pair_id: Id | None = None
    mode: PairMode = PairMode.one_to_one
    child_ids: list[Id] = Field(min_length=1, max_length=50)
    volunteer_ids: list[Id] = Field(min_length=1, max_length=50)
    team_id: Id | None = Field(default=None, description="the volunteer team of a collective pair")
    station_id: Id | None = Field(default=None, description="where a collective pair meets")
    score: int | None = Field(default=None, ge=0, le=1_000_000, description="the matching score it was suggested with")
    proposed_on: date | None = Field(default=None, description=(
        "the day the pair was proposed; default: today. Not in the future"))


class ApprovePair(Command):
    pair_id: Id
    approved_on: date | None = Field(default=None, description=(
        "the day it was approved, and the pair formed; default: today. Not in the future, nor before "
        "it was proposed or its members were on file"))


class RejectPair(Command):
    pair_id: Id
    reason: ProposalDropReason


class WithdrawProposal(Command):
    pair_id: Id
    reason: ProposalDropReason


# --- events ---

class PairProposed(Event):
    """v2: the day it was proposed (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pair"

    pair_id: str
    mode: PairMode
    region: str = Field(description="the (first) child's region: the pair is owned there")
    child_ids: tuple[str, ...]
    volunteer_ids: tuple[str, ...]
    team_id: str | None = None
    station_id: str | None = None
    approval_level: FederationLevel = Field(description="the lowest office level that may approve it")
    score: int | None = None
    proposed_on: date | None = Field(default=None, description=(
        "the day it was proposed; None: the day the event was recorded"))


class PairApproved(Event):
    """v2: the day it was approved (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "pair"

    pair_id: str
    approved_at_level: FederationLevel
    approved_on: date | None = Field(default=None, description=(
        "the day it was approved; None: the day the event was recorded"))


class PairRejected(Event):
    aggregate_type: ClassVar[str] = "pair"

    pair_id: str
    reason: ProposalDropReason


class PairProposalWithdrawn(Event):
    aggregate_type: ClassVar[str] = "pair"

    pair_id: str
    reason: ProposalDropReason
