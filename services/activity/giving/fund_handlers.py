"""Donor, fund and gift-pack command handlers: load the histories the decision needs, decide, append.

Allocations are not retried on a conflict: a fund spent by a concurrent command must be decided on
again by the operator, who is told so (409), never charged twice nor below zero.
"""

from __future__ import annotations

from typing import Any

from contracts.envelope import FederationLevel
from contracts.activity.giving import DeliverGiftPack, DonorKind, OpenFund, ReceiveDonation, RegisterDonor
from contracts.intake.volunteers import StationOpened
from contracts.regions import parse_region
from services.activity.giving import funds, gift_packs
from services.activity.giving.funds import FundState, donor_key, fund_state
from services.intake.domain import child_state, volunteer_state
from services.intake.handlers import region_at
from services.shared.authority import require_within
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id, retry_on_conflict

OFFICE_LEVELS = tuple(FederationLevel)[1:]  # province to community: an office with a region code


async def load_fund(uow: UnitOfWork, fund_id: str, *, managing: bool = True) -> FundState:
    """`managing`: the operator spends or fills the fund, so must be within the fund's office."""
    fund = await uow.state("fund", fund_id, fund_state)
    if fund.exists and managing:
        require_within(uow.command.actor, parse_region(fund.region), "this fund")
    return fund


async def donor_known(uow: UnitOfWork, kind: DonorKind, donor_id: str) -> bool:
    if kind is DonorKind.enterprise:
        return (await uow.load("donor", donor_id)).exists
    volunteer = await uow.state("volunteer", donor_id, volunteer_state)
    return volunteer.exists and not volunteer.withdrawn


async def register_donor(deps: Deps, command: RegisterDonor) -> dict[str, Any]:
    region = region_at(command.region, OFFICE_LEVELS)
    require_within(command.actor, region, "a donor")
    donor_id = command.donor_id or derived_id(command.command_id, "donor")
    uow = UnitOfWork(deps, command)
    exists = (await uow.load("donor", donor_id)).exists

    async def decide():  # a retry seals nothing; a person's name is sealed with her own key
        personal = None
        if command.individual and not exists:
            personal = await deps.keys.seal(donor_key(donor_id), {"name": command.name})
        return funds.decide_register_donor(exists, command, donor_id=donor_id, region=region, personal=personal,
                                           today=uow.now.date())
    return await uow.decide_and_commit(decide, donor_id=donor_id)


async def open_fund(deps: Deps, command: OpenFund) -> dict[str, Any]:
    region = region_at(command.region, OFFICE_LEVELS)
    require_within(command.actor, region, "a fund")
    fund_id = command.fund_id or derived_id(command.command_id, "fund")
    uow = UnitOfWork(deps, command)
    exists = (await uow.load("fund", fund_id)).exists
    return await uow.decide_and_commit(lambda: funds.decide_open_fund(exists, command, fund_id=fund_id, region=region,
                                                                      today=uow.now.date()),
                         fund_id=fund_id)


@retry_on_conflict()  # a donation only adds: whatever was appended meanwhile, it is still received
async def receive_donation(deps: Deps, command: ReceiveDonation) -> dict[str, Any]:
    donation_id = command.donation_id or derived_id(command.command_id, "donation")
    uow = UnitOfWork(deps, command)
    fund = await load_fund(uow, command.fund_id)
    known = await donor_known(uow, command.donor_kind, command.donor_id)
    return await uow.decide_and_commit(lambda: funds.decide_receive_donation(
        fund, command, donation_id=donation_id, donor_known=known, today=uow.now.date()),
        fund_id=command.fund_id, donation_id=donation_id)


async def deliver_gift_pack(deps: Deps, command: DeliverGiftPack) -> dict[str, Any]:
    gift_pack_id = command.gift_pack_id or derived_id(command.command_id, "gift_pack")
    uow = UnitOfWork(deps, command)
    exists = (await uow.load("gift_pack", gift_pack_id)).exists
    child = await uow.state("child", command.child_id, child_state)
    if child.exists:
        require_within(command.actor, parse_region(child.region), "this child")
    team_exists = (await uow.load("team", command.team_id)).exists
    station_open, station_opened_on = None, None
    if command.station_id:
        station = await uow.load("station", command.station_id)
        station_open = station.exists and all(e.envelope.event_type != "StationClosed" for e in station.events)
        station_opened_on = next((e.opened_on for e in uow.events_of(station) if isinstance(e, StationOpened)), None)
    fund = await load_fund(uow, command.fund_id) if command.fund_id else FundState()
    allocation_id = derived_id(command.command_id, "allocation") if command.fund_id else ""
    return await uow.decide_and_commit(lambda: gift_packs.decide_deliver(
        exists, child, command, gift_pack_id=gift_pack_id, today=uow.now.date(), team_exists=team_exists,
        station_open=station_open, fund=fund, allocation_id=allocation_id, station_opened_on=station_opened_on),
        gift_pack_id=gift_pack_id)
