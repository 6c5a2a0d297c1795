"""The child's file after registration: surveys, consent, transfer, exit (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from datetime import date

from contracts.intake.child_file import (ChildExited, ChildNeedsSurveyed, ChildPersonalDataErased,
                                         ChildPlaceCompleted, ChildTransferredIn, ChildTransferredOut,
                                         EraseChildData, ExitChild, GuardianConsentGiven,
                                         GuardianConsentWithdrawn, RecordConsent, SurveyNeeds,
                                         WithdrawConsent)
from contracts.envelope import Event, FederationLevel
from contracts.privacy import Sealed
from contracts.regions import Region, parse_region, region_name
from services.intake.domain import ChildState
from services.shared.days import day_of, not_before
from services.shared.errors import InvalidCommand, NotFound, RuleViolated


def require_active(state: ChildState, child_id: str) -> None:
    if not state.exists:
        raise NotFound(f"child {child_id} is not registered")
    if state.exited:
        raise RuleViolated(f"child {child_id} left the programme ({state.exited})")


def _not_future(field: str, day: date, today: date) -> None:
    if day > today:
        raise InvalidCommand(field, f"{day} is in the future")


def decide_survey(state: ChildState, command: SurveyNeeds, *, today: date, notes: Sealed | None) -> list[Event]:
    require_active(state, command.child_id)
    _not_future("surveyed_on", command.surveyed_on, today)
    return [ChildNeedsSurveyed(child_id=command.child_id, needs=tuple(dict.fromkeys(command.needs)),
                               notes=notes, surveyed_on=command.surveyed_on)]


def decide_consent(state: ChildState, command: RecordConsent, *, today: date, given_by: Sealed) -> list[Event]:
    require_active(state, command.child_id)
    _not_future("given_on", command.given_on, today)
    return [GuardianConsentGiven(child_id=command.child_id, relation=command.relation, given_by=given_by,
                                 scopes=tuple(dict.fromkeys(command.scopes)), given_on=command.given_on)]


def decide_withdraw_consent(state: ChildState, command: WithdrawConsent, *, today: date) -> list[Event]:
    require_active(state, command.child_id)
    _not_future("withdrawn_on", command.withdrawn_on, today)
    held = [scope for scope in dict.fromkeys(command.scopes) if scope in state.consents]
    if not held:
        raise RuleViolated(f"child {command.child_id} has no consent for {', '.join(command.scopes)} to withdraw")
    return [GuardianConsentWithdrawn(child_id=command.child_id, scopes=tuple(held),
                                     withdrawn_on=command.withdrawn_on)]


def decide_transfer(state: ChildState, child_id: str, to: Region, *, active_pairs: Iterable[str], today: date,
                    transferred_on: date | None = None) -> list[Event]:
    """`active_pairs`: the pairs she is in (pairing's), carried along for the region she moves to."""
    require_active(state, child_id)
    if to.code == state.region:
        raise InvalidCommand("to_region", f"child {child_id} already lives in {to.code}")
    day = day_of("transferred_on", transferred_on, today)
    not_before("transferred_on", day, state.since, f"child {child_id}'s file last changed (registered or moved)")
    file = state.registration
    return [
        ChildTransferredOut(child_id=child_id, from_region=state.region, to_region=to.code, transferred_on=day),
        ChildTransferredIn(child_id=child_id, region=to.code, from_region=state.region, sex=file.sex,
                           birth_date=file.birth_date, category=file.category, subtype=file.subtype,
                           grade=file.grade, personal=file.personal,
                           guardian_relation=file.guardian_relation, guardian=file.guardian,
                           active_pair_ids=tuple(active_pairs), transferred_on=day,
                           registered_on=state.registered_on),
    ]


def decide_complete_place(state: ChildState, child_id: str, village: Region) -> list[Event]:
    """The village of a child registered at her county, within that county; a child who has one
    already moves with a transfer instead."""
    require_active(state, child_id)
    county = parse_region(state.region)
    if county.level is not FederationLevel.district:
        raise RuleViolated(f"child {child_id} lives in {region_name(county)} ({county.code}) already; "
                           f"a move to another village is a transfer (transfer_child)")
    if not county.contains(village):
        raise InvalidCommand("region", f"{village.code} ({region_name(village)}) is not in {region_name(county)} "
                             f"({county.code}), the county the child was registered at")
    return [ChildPlaceCompleted(child_id=child_id, region=village.code, from_region=county.code)]


def decide_erase(state: ChildState, command: EraseChildData) -> list[Event]:
    if not state.exists:
        raise NotFound(f"child {command.child_id} is not registered")
    return [ChildPersonalDataErased(child_id=command.child_id, requested_by=command.requested_by)]


def decide_exit(state: ChildState, command: ExitChild, *, today: date, active_pairs: Iterable[str],
                pairs_ended_on: date | None = None) -> list[Event]:
    """`active_pairs`: the pairs she is in (pairing's): none may stand when she leaves, nor had
    ended after the day she leaves (`pairs_ended_on`: the last of them ended then)."""
    require_active(state, command.child_id)
    _not_future("exited_on", command.exited_on, today)
    not_before("exited_on", command.exited_on, state.since,
               f"child {command.child_id}'s file last changed (registered or moved)")
    not_before("exited_on", command.exited_on, pairs_ended_on, f"child {command.child_id}'s last pair ended")
    if active_pairs := list(active_pairs):
        raise RuleViolated(
            f"child {command.child_id} is still in pair(s) {', '.join(active_pairs)}; end them first"
        )
    return [ChildExited(child_id=command.child_id, reason=command.reason, exited_on=command.exited_on)]
