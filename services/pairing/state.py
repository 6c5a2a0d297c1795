"""A pair's state, folded from its own events: proposed, then active, then ended (or dropped)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import singledispatch

from contracts.envelope import Event, FederationLevel
from contracts.pairing.matching import PairApproved, PairProposalWithdrawn, PairProposed, PairRejected
from contracts.pairing.pairs import PairEnded, PairFormed, PairMode
from services.shared.fold import fold


class PairStatus(StrEnum):
    none = "none"
    proposed = "proposed"
    active = "active"
    ended = "ended"
    rejected = "rejected"
    withdrawn = "withdrawn"


@dataclass(frozen=True)
class PairState:
    pair_id: str = ""
    exists: bool = False
    active: bool = False
    region: str = ""
    mode: PairMode = PairMode.one_to_one
    child_ids: tuple[str, ...] = ()
    volunteer_ids: tuple[str, ...] = ()
    status: PairStatus = PairStatus.none
    team_id: str | None = None
    station_id: str | None = None
    approval_level: FederationLevel | None = None
    formed_on: date | None = None  # None: not formed (yet), or formed in a history read without envelopes
    proposed_on: date | None = None
    ended_on: date | None = None  # None: not ended, or ended in a history read without envelopes


@singledispatch
def evolve_pair(event: Event, state: PairState) -> PairState:
    return state


@evolve_pair.register
def _(event: PairProposed, state: PairState) -> PairState:
    return PairState(event.pair_id, True, False, event.region, event.mode, event.child_ids,
                     event.volunteer_ids, PairStatus.proposed, event.team_id, event.station_id,
                     event.approval_level, proposed_on=event.proposed_on)


@evolve_pair.register
def _(event: PairApproved, state: PairState) -> PairState:
    return state  # the PairFormed written with it makes the pair active


@evolve_pair.register
def _(event: PairFormed, state: PairState) -> PairState:
    # An approved proposal keeps its team, station and approval level.
    return replace(state, pair_id=event.pair_id, exists=True, active=True, region=event.region,
                   mode=event.mode, child_ids=event.child_ids, volunteer_ids=event.volunteer_ids,
                   status=PairStatus.active, formed_on=event.formed_on)


@evolve_pair.register
def _(event: PairEnded, state: PairState) -> PairState:
    return replace(state, active=False, status=PairStatus.ended, ended_on=event.ended_on)


@evolve_pair.register
def _(event: PairRejected, state: PairState) -> PairState:
    return replace(state, status=PairStatus.rejected)


@evolve_pair.register
def _(event: PairProposalWithdrawn, state: PairState) -> PairState:
    return replace(state, status=PairStatus.withdrawn)


def pair_state(events: list[Event]) -> PairState:
    return fold(evolve_pair, PairState(), events)
