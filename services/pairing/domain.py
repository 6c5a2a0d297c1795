"""Pairs formed directly and ended: pure decide. Invariants are checked against the members' own
histories and their pairs (services/pairing/rules.py); the pair's state is folded in
services/pairing/state.py, the members' pairs in services/pairing/members.py. Proposals and their
approval are decided in services/pairing/proposals.py."""

from __future__ import annotations

from datetime import date

from contracts.envelope import Event
from contracts.pairing.pairs import (ChildJoinedPair, ChildLeftPair, EndPair, FormPair, PairEnded, PairFormed,
                                     PairMode, VolunteerJoinedPair, VolunteerLeftPair, children_counted)
from services.intake.domain import ChildState, VolunteerState
from services.pairing.members import Memberships
from services.pairing.rules import CONSENT_AGE, SHAPES, check_formed_on, check_members, check_shape
from services.pairing.state import PairState, PairStatus, evolve_pair, pair_state
from services.shared.days import day_of, not_before
from services.shared.errors import NotFound, RuleViolated

__all__ = ["CONSENT_AGE", "SHAPES", "PairState", "decide_end_pair", "decide_form_pair", "evolve_pair",
           "formation_events", "pair_state"]


def decide_form_pair(
    pair: PairState, command: FormPair, *, pair_id: str,
    children: dict[str, ChildState], volunteers: dict[str, VolunteerState], pairs: Memberships, today: date,
) -> list[Event]:
    if pair.exists:
        raise RuleViolated(f"pair {pair_id} already exists")
    check_shape(command.mode, command.child_ids, command.volunteer_ids)
    load = check_members(command.mode, children, volunteers, pairs, today)
    formed_on = command.formed_on or today
    check_formed_on(formed_on, today, children, volunteers)
    region = children[command.child_ids[0]].region
    return formation_events(pair_id, command.mode, region, {c: children[c] for c in command.child_ids},
                            {v: volunteers[v] for v in command.volunteer_ids}, load, formed_on=formed_on)


def formation_events(pair_id: str, mode: PairMode, region: str, children: dict[str, ChildState],
                     volunteers: dict[str, VolunteerState], load: int, *, formed_on: date) -> list[Event]:
    """What a pair becoming active writes, formed directly or approved: one event per member, on
    the member's pairs, in her region."""
    return [
        PairFormed(pair_id=pair_id, mode=mode, region=region, child_ids=tuple(children),
                   volunteer_ids=tuple(volunteers), formed_on=formed_on),
        *(ChildJoinedPair(child_id=c, region=child.region, pair_id=pair_id, mode=mode)
          for c, child in children.items()),
        *(VolunteerJoinedPair(volunteer_id=v, region=volunteer.region, pair_id=pair_id, mode=mode, children=load)
          for v, volunteer in volunteers.items()),
    ]


def decide_end_pair(pair: PairState, command: EndPair, *, children: dict[str, ChildState],
                    volunteers: dict[str, VolunteerState], today: date) -> list[Event]:
    if not pair.exists:
        raise NotFound(f"pair {command.pair_id} does not exist")
    if pair.status is PairStatus.proposed:
        raise RuleViolated(f"pair {command.pair_id} is only proposed; withdraw or reject the proposal")
    if pair.status in (PairStatus.rejected, PairStatus.withdrawn):
        raise RuleViolated(f"pair {command.pair_id} was {pair.status} and never became active")
    if not pair.active:
        raise RuleViolated(f"pair {command.pair_id} has already ended")
    ended_on = day_of("ended_on", command.ended_on, today)
    not_before("ended_on", ended_on, pair.formed_on, f"pair {command.pair_id} was formed")
    load = children_counted(pair.mode, len(pair.child_ids))
    return [
        PairEnded(pair_id=pair.pair_id, reason=command.reason, ended_on=ended_on),
        *(ChildLeftPair(child_id=c, region=children[c].region, pair_id=pair.pair_id, reason=command.reason)
          for c in pair.child_ids),
        *(VolunteerLeftPair(volunteer_id=v, region=volunteers[v].region, pair_id=pair.pair_id,
                            reason=command.reason, children=load)
          for v in pair.volunteer_ids),
    ]
