"""The activity service: visits logged for active pairs, micro-wishes submitted and fulfilled."""

from contracts.activity import FulfilWish, LogVisit, SubmitWish
from contracts.care import LogActivity, LogCollectiveActivity
from contracts.concerns import CloseConcern, FollowUpConcern, RaiseConcern, ReferConcern
from contracts.giving import (ApproveWish, CancelWish, DeliverGiftPack, IssueWishCard, OpenFund,
                              PledgeWish, ReceiveDonation, RedeemWishCard, RegisterDonor)
from services.activity import concerns, funding, giving
from services.activity.care_handlers import log_activity, log_collective_activity
from services.activity.handlers import log_visit, submit_wish
from services.shared.endpoints import Routes

CONTEXT = "activity"
ROUTES: Routes = {
    "log_visit": (LogVisit, log_visit),
    "submit_wish": (SubmitWish, submit_wish),
    "fulfil_wish": (FulfilWish, giving.fulfil_wish),  # direct, for a wish without a wish card
    "log_activity": (LogActivity, log_activity),
    "log_collective_activity": (LogCollectiveActivity, log_collective_activity),
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
}
