"""Donors and funds, pure: a fund's balance is folded from its own history, never from a read model,
so the check that it stays at or above zero and the append that spends it see the same events.

Two allocations decided on the same history both expect the fund's last sequence; the log stores
only the first, so the second cannot spend money the first already took.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import singledispatch

from contracts.envelope import Event
from contracts.activity.giving import (AllocationTarget, DonationReceived, DonorRegistered, FundAllocated,
                                       FundAllocationReleased, FundOpened, OpenFund, ReceiveDonation,
                                       RegisterDonor)
from contracts.money import fen, yuan
from contracts.privacy import Sealed
from contracts.regions import Region, parse_region
from services.shared.days import day_of, not_before
from services.shared.errors import InvalidCommand, NotFound, RuleViolated
from services.shared.fold import fold


@dataclass(frozen=True)
class FundState:
    fund_id: str = ""
    exists: bool = False
    region: str = ""
    received_fen: int = 0
    spent_fen: int = 0  # allocated, less what was released again
    open_allocations: dict[str, int] = field(default_factory=dict)  # allocation id -> fen
    donations: frozenset[str] = frozenset()
    opened_on: date | None = None
    # (day, fen) of every donation (+) and allocation (-): the balance on each day. None: a day not known.
    movements: tuple[tuple[date | None, int], ...] = ()

    @property
    def balance_fen(self) -> int:
        return self.received_fen - self.spent_fen

    def available_from(self, day: date | None) -> int:
        """What can be spent on `day` without the balance falling below zero on that day or any
        later one (a donation dated later cannot pay for it): the lowest balance from then on."""
        if day is None:
            return self.balance_fen
        dated = sorted((d or date.min, fen_) for d, fen_ in self.movements)
        before = sum(f for d, f in dated if d <= day)
        lowest = running = before
        for d, f in dated:
            if d > day:
                running += f
                lowest = min(lowest, running)
        return lowest


class InsufficientFunds(RuleViolated):
    """The allocation would take the fund below zero."""


def donor_key(donor_id: str) -> str:
    """The key a person donor's name is sealed with: her own, apart from every child's and volunteer's."""
    return f"donor-{donor_id}"


def decide_register_donor(exists: bool, command: RegisterDonor, *, donor_id: str, region: Region,
                          personal: Sealed | None = None, today: date) -> list[Event]:
    """`personal`: a person's name, sealed with `donor_key` (required for an individual donor)."""
    if exists:
        raise RuleViolated(f"donor {donor_id} is already registered")
    registered_on = day_of("registered_on", command.registered_on, today)
    if command.individual:
        if personal is None:
            raise InvalidCommand("name", "a person's name is stored sealed, and nothing sealed it")
        return [DonorRegistered(donor_id=donor_id, region=region.code, individual=True, name=None,
                                personal=personal, registered_on=registered_on)]
    return [DonorRegistered(donor_id=donor_id, region=region.code, name=command.name, registered_on=registered_on)]


def decide_open_fund(exists: bool, command: OpenFund, *, fund_id: str, region: Region, today: date) -> list[Event]:
    if exists:
        raise RuleViolated(f"fund {fund_id} already exists")
    opened_on = day_of("opened_on", command.opened_on, today)
    return [FundOpened(fund_id=fund_id, region=region.code, name=command.name, opened_on=opened_on)]


def require_fund(fund: FundState, fund_id: str) -> None:
    if not fund.exists:
        raise NotFound(f"fund {fund_id} does not exist")


def decide_receive_donation(
    fund: FundState, command: ReceiveDonation, *, donation_id: str, donor_known: bool, today: date,
) -> list[Event]:
    require_fund(fund, command.fund_id)
    if not donor_known:
        raise NotFound(f"{command.donor_kind} donor {command.donor_id} is not registered")
    if command.received_on > today:
        raise InvalidCommand("received_on", f"{command.received_on} is in the future")
    not_before("received_on", command.received_on, fund.opened_on, f"fund {command.fund_id} opened")
    if donation_id in fund.donations:
        raise RuleViolated(f"donation {donation_id} is already on fund {command.fund_id}")
    return [DonationReceived(fund_id=command.fund_id, donation_id=donation_id, donor_kind=command.donor_kind,
                             donor_id=command.donor_id, amount_fen=fen(command.amount_yuan),
                             received_on=command.received_on)]


def decide_allocate(
    fund: FundState, *, fund_id: str, allocation_id: str, target: AllocationTarget, target_id: str,
    target_region: str, amount_fen: int, allocated_on: date | None = None, field: str = "allocated_on",
) -> list[Event]:
    """`allocated_on`: the day the money goes (a gift pack's delivery day); None: the day it is
    recorded. `field`: the command's field that gives that day."""
    require_fund(fund, fund_id)
    if allocated_on is not None:
        not_before(field, allocated_on, fund.opened_on, f"fund {fund_id} opened")
    if not parse_region(fund.region).contains(parse_region(target_region)):
        raise RuleViolated(f"fund {fund_id} of region {fund.region} pays only for {target}s within it, "
                           f"not in {target_region}")
    if amount_fen <= 0:
        raise InvalidCommand("amount_yuan", "an allocation must be more than 0 yuan")
    if amount_fen > fund.balance_fen:
        raise InsufficientFunds(f"fund {fund_id} holds {yuan(fund.balance_fen)} yuan; "
                                f"{yuan(amount_fen)} yuan cannot be allocated to {target} {target_id}")
    if amount_fen > (available := fund.available_from(allocated_on)):
        raise InsufficientFunds(f"fund {fund_id} held {yuan(max(available, 0))} yuan on {allocated_on} and after "
                                f"(later donations cannot pay for it); {yuan(amount_fen)} yuan cannot be "
                                f"allocated to {target} {target_id} on that day")
    return [FundAllocated(fund_id=fund_id, allocation_id=allocation_id, target=target,
                          target_id=target_id, amount_fen=amount_fen, allocated_on=allocated_on)]


def decide_release(fund: FundState, allocation_id: str, released_on: date | None = None) -> list[Event]:
    """Give an allocation back (on `released_on`; None: the day it is recorded); nothing to do if
    it was given back already."""
    if allocation_id not in fund.open_allocations:
        return []
    return [FundAllocationReleased(fund_id=fund.fund_id, allocation_id=allocation_id,
                                   amount_fen=fund.open_allocations[allocation_id], released_on=released_on)]


@singledispatch
def evolve_fund(event: Event, state: FundState) -> FundState:
    return state


@evolve_fund.register
def _(event: FundOpened, state: FundState) -> FundState:
    return FundState(event.fund_id, True, event.region, opened_on=event.opened_on)


@evolve_fund.register
def _(event: DonationReceived, state: FundState) -> FundState:
    return replace(state, received_fen=state.received_fen + event.amount_fen,
                   donations=state.donations | {event.donation_id},
                   movements=(*state.movements, (event.received_on, event.amount_fen)))


@evolve_fund.register
def _(event: FundAllocated, state: FundState) -> FundState:
    return replace(state, spent_fen=state.spent_fen + event.amount_fen,
                   open_allocations={**state.open_allocations, event.allocation_id: event.amount_fen},
                   movements=(*state.movements, (event.allocated_on, -event.amount_fen)))


@evolve_fund.register
def _(event: FundAllocationReleased, state: FundState) -> FundState:
    remaining = {k: v for k, v in state.open_allocations.items() if k != event.allocation_id}
    return replace(state, spent_fen=state.spent_fen - event.amount_fen, open_allocations=remaining,
                   movements=(*state.movements, (event.released_on, event.amount_fen)))


def fund_state(events: list[Event]) -> FundState:
    return fold(evolve_fund, FundState(), events)
