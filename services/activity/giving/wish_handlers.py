"""Wish lifecycle handlers: submit, approve, pledge (paid from a fund if one is named), issue and redeem wish
cards, cancel, and FulfilWish for wishes without a card (see services.activity.giving.wishes).

None of them retries on a conflict blindly: whether a wish may move on depends on what a
concurrent writer did to it. Only a redemption that lost a race decides once more, on the reloaded
history, so that its operator hears why (the card was just redeemed) rather than "try again".
"""

from __future__ import annotations

from typing import Any

from contracts.activity.wishes import (ApproveWish, CancelWish, FulfilWish, IssueWishCard, PledgeWish,
                                       RedeemWishCard, SubmitWish)
from contracts.regions import parse_region
from services.activity.giving import wishes
from services.activity.giving.fund_handlers import donor_known, load_fund
from services.activity.giving.wish_cards import CARD_SECRET, code_hash, new_code
from services.activity.giving.wishes import Wish, wish_lifecycle
from services.intake.domain import child_state
from services.shared.authority import require_within
from services.shared.errors import ConcurrencyConflict
from services.shared.unit_of_work import Deps, UnitOfWork, derived_id

CODE_SHOWN_ONCE = ("a card's code is shown only when the card is issued; if it was not received, "
                   "issue a new card (the old one becomes void)")


async def _wish(uow: UnitOfWork, wish_id: str) -> tuple[Wish, str]:
    """The wish and the region it belongs to (its child's), checked against the operator's."""
    history = await uow.load("wish", wish_id)
    region = history.events[-1].envelope.region if history.exists else ""
    if history.exists:
        require_within(uow.command.actor, parse_region(region), "this wish")
    return await uow.state("wish", wish_id, wish_lifecycle), region


async def submit_wish(deps: Deps, command: SubmitWish) -> dict[str, Any]:
    wish_id = command.wish_id or derived_id(command.command_id, "wish")
    uow = UnitOfWork(deps, command)
    wish = await uow.state("wish", wish_id, wish_lifecycle)
    child = await uow.state("child", command.child_id, child_state)

    async def decide():  # a retry is answered before the child's region is checked, and seals nothing
        item = None
        if child.exists:  # an unknown child has no key to seal with: the decision refuses it
            require_within(command.actor, parse_region(child.region), "this child")
            item = await deps.keys.seal(command.child_id, {"item": command.item})
        return wishes.decide_submit(wish, child, command, wish_id=wish_id, item=item, today=uow.now.date())
    return await uow.decide_and_commit(decide, wish_id=wish_id)


async def approve_wish(deps: Deps, command: ApproveWish) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    wish, _ = await _wish(uow, command.wish_id)
    return await uow.decide_and_commit(lambda: wishes.decide_approve(wish, command, today=uow.now.date()),
                                       wish_id=command.wish_id)


async def pledge_wish(deps: Deps, command: PledgeWish) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    wish, region = await _wish(uow, command.wish_id)
    known = await donor_known(uow, command.donor_kind, command.donor_id)
    fund_kwargs = {}
    if command.fund_id:
        fund_kwargs = {"fund": await load_fund(uow, command.fund_id),
                       "allocation_id": derived_id(command.command_id, "allocation")}
    return await uow.decide_and_commit(lambda: wishes.decide_pledge(
        wish, command, donor_known=known, wish_region=region, today=uow.now.date(), **fund_kwargs),
        wish_id=command.wish_id, allocation_id=fund_kwargs.get("allocation_id"))


async def issue_wish_card(deps: Deps, command: IssueWishCard) -> dict[str, Any]:
    """Answers with the card's code, the only time it is ever shown."""
    uow = UnitOfWork(deps, command)
    wish, _ = await _wish(uow, command.wish_id)
    card_id, code = derived_id(command.command_id, "card"), new_code()
    issued = {}

    async def decide():  # the card secret is read only for a new command
        issued["digest"] = code_hash(await deps.keys.key_for(CARD_SECRET), command.wish_id, card_id, code)
        return wishes.decide_issue_card(wish, command.wish_id, card_id=card_id, code_hash=issued["digest"])
    result = await uow.decide_and_commit(decide, wish_id=command.wish_id)
    if result["duplicate"]:  # a retry: the code was shown when the card was issued
        return {**result, "code": None, "note": CODE_SHOWN_ONCE}
    # Two runs of one command at the same moment store one card (the log drops the second as a
    # duplicate): only the run whose code was stored may hand it out.
    stored = wish_lifecycle(uow.events_of(await deps.log.load("wish", command.wish_id)))
    if stored.card is None or stored.card.card_id != card_id or stored.card.code_hash != issued["digest"]:
        return {"wish_id": command.wish_id, "card_id": card_id, **result, "code": None, "note": CODE_SHOWN_ONCE}
    return {"wish_id": command.wish_id, "card_id": card_id, "code": code, **result}


async def redeem_wish_card(deps: Deps, command: RedeemWishCard) -> dict[str, Any]:
    try:
        return await _redeem(deps, command)
    except ConcurrencyConflict:
        return await _redeem(deps, command)


async def _redeem(deps: Deps, command: RedeemWishCard) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    wish, _ = await _wish(uow, command.wish_id)
    card_id = wish.card.card_id if wish.card else ""

    async def decide():  # the card secret is read only for a new command
        presented = code_hash(await deps.keys.key_for(CARD_SECRET), command.wish_id, card_id, command.code)
        return wishes.decide_redeem(wish, command, presented_hash=presented, today=uow.now.date())
    result = await uow.decide_and_commit(decide, wish_id=command.wish_id)
    # A redemption just made names its card; a retry answers as before, without it.
    return result if result["duplicate"] else {"wish_id": command.wish_id, "card_id": card_id, **result}


async def cancel_wish(deps: Deps, command: CancelWish) -> dict[str, Any]:
    uow = UnitOfWork(deps, command)
    wish, _ = await _wish(uow, command.wish_id)
    fund = None
    if wish.pledge and wish.pledge.fund_id:
        # Giving money back needs no say over the fund: it only undoes the wish's own allocation.
        fund = await load_fund(uow, wish.pledge.fund_id, managing=False)
    return await uow.decide_and_commit(lambda: wishes.decide_cancel(wish, command, fund=fund, today=uow.now.date()),
                                       wish_id=command.wish_id)


async def fulfil_wish(deps: Deps, command: FulfilWish) -> dict[str, Any]:
    """A wish without a card, fulfilled directly: the gift was handed over outside the card process."""
    uow = UnitOfWork(deps, command)
    wish, _ = await _wish(uow, command.wish_id)

    async def decide():
        wishes.require_open(wish, command.wish_id)  # nothing is sealed for a wish that cannot be fulfilled
        donor = await deps.keys.seal(wish.child_id, {"donor": command.donor}) if command.donor else None
        return wishes.decide_fulfil_directly(wish, command, donor=donor, today=uow.now.date())
    return await uow.decide_and_commit(decide, wish_id=command.wish_id)
