"""Giving rules, pure (given events, when a command, then events or a refusal): a wish's lifecycle,
its card used once, a fund that never goes below zero, gift-pack versions by age on delivery day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contracts.activity.wishes import (ApproveWish, CancelWish, FulfilWish, PledgeWish, RedeemWishCard,
                                       WishApproved, WishCancelReason, WishCancelled, WishCardIssued,
                                       WishCardRedeemed, WishCategory, WishFulfilled, WishPledged,
                                       WishSubmitted)
from contracts.envelope import Actor, Event, FederationLevel
from contracts.activity.giving import (AllocationTarget, DeliverGiftPack, DonationReceived, DonorKind,
                                       FundAllocated, FundAllocationReleased, FundOpened, GiftPackDelivered,
                                       GiftPackVersion, ReceiveDonation)
from contracts.intake.registration import ChildCategory, ChildRegistered, Sex
from contracts.privacy import Sealed
from services.activity.giving import funds, gift_packs, wishes
from services.activity.giving.funds import InsufficientFunds, fund_state
from services.activity.giving.gift_packs import gift_pack_version
from services.activity.giving.wish_cards import code_hash, new_code
from services.activity.giving.wishes import WishStatus, wish_lifecycle
from services.intake.domain import child_state
from services.shared.errors import InvalidCommand, NotFound, RuleViolated

ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
REGION = "440305001001"  # 南头城社区, 南头街道, 南山区, 深圳
TODAY = date(2026, 6, 1)
SECRET = b"k" * 32
SEALED_ITEM = Sealed(key_id="c1", nonce="AA==", ciphertext="aXRlbQ==")
SUBMITTED = WishSubmitted(wish_id="w1", child_id="c1", region=REGION, item=SEALED_ITEM,
                          category=WishCategory.study, estimated_cost_yuan=120.5)
APPROVED = [SUBMITTED, WishApproved(wish_id="w1")]
PLEDGED = [*APPROVED, WishPledged(wish_id="w1", donor_kind=DonorKind.enterprise, donor_id="d1",
                                  amount_fen=12050, fund_id=None, allocation_id=None)]
CARD = WishCardIssued(wish_id="w1", card_id="card1", code_hash=code_hash(SECRET, "w1", "card1", "secret-code"),
                      replaces=None)
FUND = [FundOpened(fund_id="f1", region="440305000000", name="南山爱心基金"),
        DonationReceived(fund_id="f1", donation_id="d-1", donor_kind=DonorKind.enterprise, donor_id="d1",
                         amount_fen=100_000, received_on=TODAY)]


def pledge(given: list[Event], fund: list[Event] | None = None, **fields) -> list[Event]:
    command = PledgeWish(actor=ACTOR, wish_id="w1", donor_kind=DonorKind.enterprise, donor_id="d1", **fields)
    funding = {"fund": fund_state(fund), "allocation_id": "a1"} if fund is not None else {}
    return wishes.decide_pledge(wish_lifecycle(given), command, donor_known=True, wish_region=REGION, **funding)


def redeem(given: list[Event], code: str = "secret-code") -> list[Event]:
    wish = wish_lifecycle(given)
    presented = code_hash(SECRET, "w1", wish.card.card_id if wish.card else "", code)
    return wishes.decide_redeem(wish, RedeemWishCard(actor=ACTOR, wish_id="w1", code=code), presented_hash=presented)


def test_a_wish_goes_from_submitted_to_approved_to_pledged() -> None:
    assert wishes.decide_approve(wish_lifecycle([SUBMITTED]), ApproveWish(actor=ACTOR, wish_id="w1")) == [
        WishApproved(wish_id="w1")]
    [pledged] = pledge(APPROVED)
    assert (pledged.donor_id, pledged.amount_fen, pledged.fund_id) == ("d1", 12050, None)
    with pytest.raises(RuleViolated, match="only an approved wish can be pledged"):
        pledge([SUBMITTED])
    with pytest.raises(RuleViolated, match="already approved"):
        wishes.decide_approve(wish_lifecycle(APPROVED), ApproveWish(actor=ACTOR, wish_id="w1"))


def test_a_pledge_paid_from_a_fund_allocates_from_it_in_the_same_decision() -> None:
    pledged, allocated = pledge(APPROVED, FUND, fund_id="f1", amount_yuan=Decimal("99.99"))
    assert (pledged.fund_id, pledged.allocation_id, pledged.amount_fen) == ("f1", "a1", 9999)
    assert allocated == FundAllocated(fund_id="f1", allocation_id="a1", target=AllocationTarget.wish,
                                      target_id="w1", amount_fen=9999)


def test_a_wish_card_is_redeemed_once_and_fulfils_the_wish() -> None:
    redeemed, fulfilled = redeem([*PLEDGED, CARD])
    assert redeemed == WishCardRedeemed(wish_id="w1", card_id="card1")
    assert fulfilled == WishFulfilled(wish_id="w1", child_id="c1", donor_id="d1", donor=None)
    with pytest.raises(RuleViolated, match="already fulfilled"):
        redeem([*PLEDGED, CARD, redeemed, fulfilled])


def test_a_wrong_code_or_a_replaced_card_does_not_redeem() -> None:
    with pytest.raises(InvalidCommand, match="not the code") as refused:
        redeem([*PLEDGED, CARD], code="guess")
    assert refused.value.details[0].loc == ["code"]
    lost = wishes.decide_issue_card(wish_lifecycle([*PLEDGED, CARD]), "w1", card_id="card2",
                                    code_hash=code_hash(SECRET, "w1", "card2", "new-code"))
    assert lost[0].replaces == "card1"
    with pytest.raises(InvalidCommand):
        redeem([*PLEDGED, CARD, *lost])  # the old card's code
    assert isinstance(redeem([*PLEDGED, CARD, *lost], code="new-code")[1], WishFulfilled)


def test_a_card_is_issued_only_for_a_pledged_wish_and_codes_are_unguessable() -> None:
    with pytest.raises(RuleViolated, match="once a donor has pledged it"):
        wishes.decide_issue_card(wish_lifecycle(APPROVED), "w1", card_id="c", code_hash="h")
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000 and min(map(len, codes)) >= 22  # 128 random bits each
    assert code_hash(SECRET, "w1", "card1", "x") != code_hash(SECRET, "w2", "card1", "x")


def test_direct_fulfilment_is_for_wishes_without_a_card() -> None:
    fulfil = FulfilWish(actor=ACTOR, wish_id="w1")
    assert wishes.decide_fulfil_directly(wish_lifecycle([SUBMITTED]), fulfil) == [
        WishFulfilled(wish_id="w1", child_id="c1", donor_id=None, donor=None)]
    assert wishes.decide_fulfil_directly(wish_lifecycle(PLEDGED), fulfil)[0].donor_id == "d1"
    # A donor named in words stands sealed beside the pledge's donor id, never in its place.
    named = Sealed(key_id="c1", nonce="AA==", ciphertext="ZG9ub3I=")
    [fulfilled] = wishes.decide_fulfil_directly(wish_lifecycle(PLEDGED), fulfil, donor=named)
    assert (fulfilled.donor_id, fulfilled.donor) == ("d1", named)
    with pytest.raises(RuleViolated, match="fulfilled by redeeming that card"):
        wishes.decide_fulfil_directly(wish_lifecycle([*PLEDGED, CARD]), fulfil)
    with pytest.raises(NotFound):
        wishes.decide_fulfil_directly(wish_lifecycle([]), fulfil)


def test_a_cancelled_wish_gives_its_allocation_back_and_moves_no_further() -> None:
    pledged = pledge(APPROVED, FUND, fund_id="f1")
    fund = fund_state([*FUND, pledged[1]])
    cancel = CancelWish(actor=ACTOR, wish_id="w1", reason=WishCancelReason.no_longer_needed)
    cancelled, released = wishes.decide_cancel(wish_lifecycle([*APPROVED, pledged[0]]), cancel, fund=fund)
    assert cancelled == WishCancelled(wish_id="w1", reason=WishCancelReason.no_longer_needed)
    assert released == FundAllocationReleased(fund_id="f1", allocation_id="a1", amount_fen=12050)
    assert fund_state([*FUND, pledged[1], released]).balance_fen == 100_000
    after = wish_lifecycle([*APPROVED, pledged[0], cancelled])
    assert after.status is WishStatus.cancelled
    with pytest.raises(RuleViolated, match="already cancelled"):
        wishes.decide_fulfil_directly(after, FulfilWish(actor=ACTOR, wish_id="w1"))


def allocate(given: list[Event], amount_fen: int, region: str = REGION) -> list[Event]:
    return funds.decide_allocate(fund_state(given), fund_id="f1", allocation_id="a9", target=AllocationTarget.wish,
                                 target_id="w1", target_region=region, amount_fen=amount_fen)


def test_a_fund_never_goes_below_zero() -> None:
    assert allocate(FUND, 100_000)[0].amount_fen == 100_000  # to the last fen
    with pytest.raises(InsufficientFunds, match="holds 1000.00 yuan; 1000.01 yuan cannot"):
        allocate(FUND, 100_001)
    spent = [*FUND, *allocate(FUND, 60_000)]
    assert fund_state(spent).balance_fen == 40_000
    with pytest.raises(InsufficientFunds):
        allocate(spent, 40_001)


def test_a_fund_pays_only_within_its_region_and_only_once_opened() -> None:
    with pytest.raises(RuleViolated, match="within it"):
        allocate(FUND, 100, region="440105001101")  # 海珠区, not 南山区
    with pytest.raises(NotFound, match="fund f1 does not exist"):
        allocate([], 100)


def test_a_donation_is_counted_once_and_not_from_the_future() -> None:
    command = ReceiveDonation(actor=ACTOR, fund_id="f1", donor_kind=DonorKind.enterprise, donor_id="d1",
                              amount_yuan=Decimal("0.10"), received_on=TODAY)
    [received] = funds.decide_receive_donation(fund_state(FUND[:1]), command, donation_id="d-2",
                                               donor_known=True, today=TODAY)
    assert received.amount_fen == 10
    with pytest.raises(RuleViolated, match="already on fund"):
        funds.decide_receive_donation(fund_state(FUND), command, donation_id="d-1", donor_known=True, today=TODAY)
    with pytest.raises(NotFound, match="donor d1 is not registered"):
        funds.decide_receive_donation(fund_state(FUND), command, donation_id="d-3", donor_known=False, today=TODAY)
    with pytest.raises(InvalidCommand, match="future"):
        funds.decide_receive_donation(fund_state(FUND), command, donation_id="d-3", donor_known=True,
                                      today=date(2026, 5, 31))


@pytest.mark.parametrize(("delivered_on", "version"), [
    (date(2016, 6, 1), GiftPackVersion.age_0_6),  # the day of birth: 0
    (date(2023, 5, 31), GiftPackVersion.age_0_6),  # 6, the day before the 7th birthday
    (date(2023, 6, 1), GiftPackVersion.age_7_12),  # the 7th birthday itself
    (date(2029, 5, 31), GiftPackVersion.age_7_12),
    (date(2029, 6, 1), GiftPackVersion.age_13_17),  # the 13th birthday
    (date(2034, 5, 31), GiftPackVersion.age_13_17),  # the last day before 18
])
def test_the_gift_pack_version_follows_the_age_on_the_delivery_day(delivered_on, version) -> None:
    assert gift_pack_version(date(2016, 6, 1), delivered_on) is version


def test_gift_pack_version_edges() -> None:
    assert gift_pack_version(date(2016, 6, 1), date(2026, 6, 1), parent_child=True) is GiftPackVersion.parent_child
    assert gift_pack_version(date(2020, 2, 29), date(2027, 2, 28)) is GiftPackVersion.age_0_6  # leap-day child
    assert gift_pack_version(date(2020, 2, 29), date(2027, 3, 1)) is GiftPackVersion.age_7_12
    with pytest.raises(RuleViolated, match="is 18"):
        gift_pack_version(date(2016, 6, 1), date(2034, 6, 1))
    with pytest.raises(InvalidCommand, match="before the child was born"):
        gift_pack_version(date(2016, 6, 1), date(2016, 5, 31))


CHILD = ChildRegistered(child_id="c1", region=REGION, sex=Sex.female, birth_date=date(2019, 6, 1),
                        category=ChildCategory.left_behind, subtype=None,
                        personal=Sealed(key_id="c1", nonce="AA==", ciphertext="AA=="),
                        guardian_relation=None, guardian=None)


def deliver(fund: list[Event] | None = None, station_open: bool | None = True, **fields) -> list[Event]:
    command = DeliverGiftPack(actor=ACTOR, child_id="c1", delivered_on=TODAY, team_id="t1", station_id="s1", **fields)
    funding = {"fund": fund_state(fund), "allocation_id": "a2"} if fund is not None else {}
    return gift_packs.decide_deliver(False, child_state([CHILD]), command, gift_pack_id="g1", today=TODAY,
                                     team_exists=True, station_open=station_open, **funding)


def test_a_gift_pack_is_delivered_by_a_team_at_a_station_paid_from_a_fund() -> None:
    delivered, allocated = deliver(FUND, fund_id="f1", amount_yuan=Decimal("150"))
    assert delivered == GiftPackDelivered(
        gift_pack_id="g1", child_id="c1", region=REGION, version=GiftPackVersion.age_7_12, delivered_on=TODAY,
        team_id="t1", station_id="s1", fund_id="f1", allocation_id="a2")  # 7 on her birthday, today
    assert (allocated.target, allocated.target_id, allocated.amount_fen) == (AllocationTarget.gift_pack, "g1", 15000)
    with pytest.raises(InvalidCommand, match="needs its cost"):
        deliver(FUND, fund_id="f1")
    with pytest.raises(RuleViolated, match="closed"):
        deliver(station_open=False)
