"""Gift packs (暖心包), pure: which version a child gets follows from its age on the delivery day.

The four versions are 0–6, 7–12 and 13–17 years, and parent-child (asked for explicitly, whatever
the child's age). A child whose birthday is the delivery day has reached the new age that day.
"""

from __future__ import annotations

from datetime import date

from contracts.envelope import Event
from contracts.activity.giving import AllocationTarget, DeliverGiftPack, GiftPackDelivered, GiftPackVersion
from contracts.money import fen
from services.activity.giving.funds import FundState, decide_allocate
from services.intake.child_file import require_active
from services.intake.domain import ADULT_AGE, ChildState, age_on
from services.shared.days import not_before
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

AGE_BANDS = ((6, GiftPackVersion.age_0_6), (12, GiftPackVersion.age_7_12),
             (ADULT_AGE - 1, GiftPackVersion.age_13_17))


def gift_pack_version(birth_date: date, delivered_on: date, parent_child: bool = False) -> GiftPackVersion:
    if delivered_on < birth_date:
        raise InvalidCommand("delivered_on", f"{delivered_on} is before the child was born")
    if parent_child:
        return GiftPackVersion.parent_child
    age = age_on(birth_date, delivered_on)
    for oldest, version in AGE_BANDS:
        if age <= oldest:
            return version
    raise RuleViolated(f"the child is {age} on {delivered_on}; gift packs are for children under {ADULT_AGE}")


def decide_deliver(
    exists: bool, child: ChildState, command: DeliverGiftPack, *, gift_pack_id: str, today: date,
    team_exists: bool, station_open: bool | None, fund: FundState = FundState(), allocation_id: str = "",
    station_opened_on: date | None = None,
) -> list[Event]:
    """`station_open` is None when no station is named (`station_opened_on`: the day it opened). A
    pack paid from a fund is allocated from it in the same batch."""
    if exists:
        raise RuleViolated(f"gift pack {gift_pack_id} was already delivered")
    require_active(child, command.child_id)
    if command.delivered_on > today:
        raise InvalidCommand("delivered_on", f"{command.delivered_on} is in the future")
    not_before("delivered_on", command.delivered_on, child.since,
               f"child {command.child_id} was registered (or last moved)")
    if not team_exists:
        raise NotFound(f"team {command.team_id} does not exist")
    if station_open is False:
        raise RuleViolated(f"station {command.station_id} does not exist or is closed")
    not_before("delivered_on", command.delivered_on, station_opened_on, f"station {command.station_id} opened")
    version = gift_pack_version(child.birth_date, command.delivered_on, command.parent_child)
    allocation = []
    if command.fund_id:
        if command.amount_yuan is None:
            raise InvalidCommand("amount_yuan", "a pack paid from a fund needs its cost")
        allocation = decide_allocate(fund, fund_id=command.fund_id, allocation_id=allocation_id,
                                     target=AllocationTarget.gift_pack, target_id=gift_pack_id,
                                     target_region=child.region, amount_fen=fen(command.amount_yuan),
                                     allocated_on=command.delivered_on, field="delivered_on")
    delivered = GiftPackDelivered(
        gift_pack_id=gift_pack_id, child_id=command.child_id, region=child.region, version=version,
        delivered_on=command.delivered_on, team_id=command.team_id, station_id=command.station_id,
        fund_id=command.fund_id, allocation_id=allocation_id if command.fund_id else None)
    return [delivered, *allocation]
