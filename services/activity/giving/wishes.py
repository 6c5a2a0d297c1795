"""A micro-wish's lifecycle, pure: submitted → approved → pledged → fulfilled, or cancelled.

Fulfilment has two doors, and a wish passes through one of them once:
- redeeming its wish card (RedeemWishCard), once a card was issued for the pledged wish;
- FulfilWish, kept for gifts handed over outside the card process (and for the histories written
  before cards existed). It is refused once a card has been issued, so a card in a child's hand is
  the only thing that can still fulfil that wish, and it does so once.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import singledispatch

from contracts.activity.wishes import (ApproveWish, CancelWish, FulfilWish, PledgeWish, RedeemWishCard,
                                       SubmitWish, WishApproved, WishCancelled, WishCardIssued,
                                       WishCardRedeemed, WishFulfilled, WishPledged, WishSubmitted)
from contracts.envelope import Event
from contracts.activity.giving import AllocationTarget
from contracts.money import fen
from contracts.privacy import Sealed
from services.activity.giving.funds import FundState, decide_allocate, decide_release
from services.intake.domain import ChildState
from services.shared.days import day_of, not_before
from services.shared.errors import InvalidCommand, NotFound, RuleViolated
from services.shared.fold import fold


class WishStatus(StrEnum):
    none = "none"
    submitted = "submitted"
    approved = "approved"
    pledged = "pledged"
    fulfilled = "fulfilled"
    cancelled = "cancelled"


OPEN = (WishStatus.submitted, WishStatus.approved, WishStatus.pledged)


@dataclass(frozen=True)
class Wish:
    wish_id: str = ""
    status: WishStatus = WishStatus.none
    child_id: str = ""
    estimated_fen: int = 0
    pledge: WishPledged | None = None
    card: WishCardIssued | None = None  # the current card; an earlier one is void
    since: date | None = None  # the day of its last step (None: not known)


def step_day(wish: Wish, field: str, given: date | None, today: date | None) -> date | None:
    """The day of a step of the wish: given, else today; not after today nor before its last step.
    None without `today` (a decision made without a clock): the day it is recorded."""
    if today is None:
        return given
    day = day_of(field, given, today)
    not_before(field, day, wish.since, f"wish {wish.wish_id}'s last step")
    return day


def require_open(wish: Wish, wish_id: str) -> None:
    if wish.status is WishStatus.none:
        raise NotFound(f"wish {wish_id} does not exist")
    if wish.status not in OPEN:
        raise RuleViolated(f"wish {wish_id} is already {wish.status}")


def decide_submit(wish: Wish, child: ChildState, command: SubmitWish, *, wish_id: str,
                  item: Sealed | None, today: date | None = None) -> list[Event]:
    """`item`: the command's item, sealed with the child's key (None only for a child not on file)."""
    if wish.status is not WishStatus.none:
        raise RuleViolated(f"wish {wish_id} already exists")
    if not child.exists or item is None:
        raise NotFound(f"child {command.child_id} is not registered")
    day = step_day(replace(wish, wish_id=wish_id), "submitted_on", command.submitted_on, today)
    if day is not None:
        not_before("submitted_on", day, child.since, f"child {child.child_id} was registered (or last moved)")
    return [WishSubmitted(wish_id=wish_id, child_id=child.child_id, region=child.region,
                          item=item, category=command.category,
                          estimated_cost_yuan=command.estimated_cost_yuan, submitted_on=day)]


def decide_approve(wish: Wish, command: ApproveWish, today: date | None = None) -> list[Event]:
    require_open(wish, command.wish_id)
    if wish.status is not WishStatus.submitted:
        raise RuleViolated(f"wish {command.wish_id} is already {wish.status}")
    return [WishApproved(wish_id=command.wish_id,
                         approved_on=step_day(wish, "approved_on", command.approved_on, today))]


def decide_pledge(
    wish: Wish, command: PledgeWish, *, donor_known: bool, wish_region: str,
    fund: FundState = FundState(), allocation_id: str = "", today: date | None = None,
) -> list[Event]:
    """With a fund named, the pledge is paid from it: the allocation is stored in the same batch,
    on `today` (None: the day it is recorded)."""
    require_open(wish, command.wish_id)
    if wish.status is not WishStatus.approved:
        raise RuleViolated(f"wish {command.wish_id} is {wish.status}; only an approved wish can be pledged")
    if not donor_known:
        raise NotFound(f"{command.donor_kind} donor {command.donor_id} is not registered")
    amount = fen(command.amount_yuan) if command.amount_yuan is not None else wish.estimated_fen
    day = step_day(wish, "pledged_on", command.pledged_on, today)
    allocation = []
    if command.fund_id:
        allocation = decide_allocate(fund, fund_id=command.fund_id, allocation_id=allocation_id,
                                     target=AllocationTarget.wish, target_id=command.wish_id,
                                     target_region=wish_region, amount_fen=amount, allocated_on=day,
                                     field="pledged_on")
    pledged = WishPledged(wish_id=command.wish_id, donor_kind=command.donor_kind, donor_id=command.donor_id,
                          amount_fen=amount, fund_id=command.fund_id,
                          allocation_id=allocation_id if command.fund_id else None, pledged_on=day)
    return [pledged, *allocation]


def decide_issue_card(wish: Wish, wish_id: str, *, card_id: str, code_hash: str) -> list[Event]:
    require_open(wish, wish_id)
    if wish.status is not WishStatus.pledged:
        raise RuleViolated(f"wish {wish_id} is {wish.status}; a card is issued once a donor has pledged it")
    return [WishCardIssued(wish_id=wish_id, card_id=card_id, code_hash=code_hash,
                           replaces=wish.card.card_id if wish.card else None)]


def decide_redeem(wish: Wish, command: RedeemWishCard, *, presented_hash: str,
                  today: date | None = None) -> list[Event]:
    """The card is presented, and the wish fulfilled, `today`."""
    require_open(wish, command.wish_id)
    if wish.card is None:
        raise RuleViolated(f"wish {command.wish_id} has no wish card")
    if not hmac.compare_digest(presented_hash, wish.card.code_hash):
        raise InvalidCommand("code", f"this is not the code of wish {command.wish_id}'s current card")
    return [WishCardRedeemed(wish_id=command.wish_id, card_id=wish.card.card_id),
            WishFulfilled(wish_id=command.wish_id, child_id=wish.child_id, donor_id=wish.pledge.donor_id,
                          fulfilled_on=today)]


def decide_fulfil_directly(wish: Wish, command: FulfilWish, *, donor: Sealed | None = None,
                           today: date | None = None) -> list[Event]:
    """`donor`: the command's donor (named in words), sealed with the child's key."""
    require_open(wish, command.wish_id)
    if wish.card is not None:
        raise RuleViolated(f"wish {command.wish_id} has wish card {wish.card.card_id}; "
                           "it is fulfilled by redeeming that card")
    return [WishFulfilled(wish_id=command.wish_id, child_id=wish.child_id,
                          donor_id=wish.pledge.donor_id if wish.pledge else None, donor=donor,
                          fulfilled_on=step_day(wish, "fulfilled_on", command.fulfilled_on, today))]


def decide_cancel(wish: Wish, command: CancelWish, *, fund: FundState | None,
                  today: date | None = None) -> list[Event]:
    """A funded wish gives its allocation back to the fund in the same batch, on the same day."""
    require_open(wish, command.wish_id)
    day = step_day(wish, "cancelled_on", command.cancelled_on, today)
    released = []
    if fund is not None and wish.pledge and wish.pledge.allocation_id:
        released = decide_release(fund, wish.pledge.allocation_id, released_on=day)
    return [WishCancelled(wish_id=command.wish_id, reason=command.reason, cancelled_on=day), *released]


@singledispatch
def evolve(event: Event, wish: Wish) -> Wish:
    return wish


@evolve.register
def _(event: WishSubmitted, wish: Wish) -> Wish:
    return Wish(event.wish_id, WishStatus.submitted, event.child_id, fen(event.estimated_cost_yuan),
                since=event.submitted_on)


@evolve.register
def _(event: WishApproved, wish: Wish) -> Wish:
    return replace(wish, status=WishStatus.approved, since=event.approved_on or wish.since)


@evolve.register
def _(event: WishPledged, wish: Wish) -> Wish:
    return replace(wish, status=WishStatus.pledged, pledge=event, since=event.pledged_on or wish.since)


@evolve.register
def _(event: WishCardIssued, wish: Wish) -> Wish:
    return replace(wish, card=event)


@evolve.register
def _(event: WishFulfilled, wish: Wish) -> Wish:
    return replace(wish, status=WishStatus.fulfilled)


@evolve.register
def _(event: WishCancelled, wish: Wish) -> Wish:
    return replace(wish, status=WishStatus.cancelled)


def wish_lifecycle(events: list[Event]) -> Wish:
    return fold(evolve, Wish(), events)
