"""The activity service's routes: care (visits, activities), giving (wishes, donors, funds, gift
packs) and concerns, each handled by its own sub-package."""

from contracts.activity.wishes import (ApproveWish, CancelWish, FulfilWish, IssueWishCard, PledgeWish,
                                       RedeemWishCard, SubmitWish)
from contracts.activity.care import LogActivity, LogCollectiveActivity, LogVisit
from contracts.activity.concerns import AssessRisk, CloseConcern, FollowUpConcern, RaiseConcern, ReferConcern
from contracts.activity.giving import DeliverGiftPack, OpenFund, ReceiveDonation, RegisterDonor
from services.activity.care import handlers as care
from services.activity.concerns import handlers as concerns
from services.activity.giving import fund_handlers as funding
from services.activity.giving import wish_handlers as giving
from services.shared.endpoints import Routes

CONTEXT = "activity"
ROUTES: Routes = {
    "log_visit": (LogVisit, care.log_visit),
    "log_activity": (LogActivity, care.log_activity),
    "log_collective_activity": (LogCollectiveActivity, care.log_collective_activity),
    "submit_wish": (SubmitWish, giving.submit_wish),
    "fulfil_wish": (FulfilWish, giving.fulfil_wish),  # direct, for a wish without a wish card
    "approve_wish": (ApproveWish, giving.approve_wish),
    "pledge_wish": (PledgeWish, giving.pledge_wish),
    "issue_wish_card": (IssueWishCard, giving.issue_wish_card),
    "redeem_wish_card": (RedeemWishCard, giving.redeem_wish_card),
    "cancel_wish": (CancelWish, giving.cancel_wish),
    "register_donor": (RegisterDonor, funding.register_donor),
    "open_fund": (OpenFund, funding.open_fund),
    "receive_donation": (ReceiveDonation, funding.receive_donation),
    "deliver_gift_pack": (DeliverGiftPack, funding.deliver_gift_pack),
    "raise_concern": (RaiseConcern, concerns.raise_concern),
    "refer_concern": (ReferConcern, concerns.refer_concern),
    "follow_up_concern": (FollowUpConcern, concerns.follow_up_concern),
    "close_concern": (CloseConcern, concerns.close_concern),
    "assess_risk": (AssessRisk, concerns.assess_risk),  # the child's care tier
}
