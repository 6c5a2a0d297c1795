"""Every command the platform takes, by context and name: what the HTTP API offers at
POST /commands/<context>/<name> (its body: the model less `actor`), and what each service's ROUTES
table handles under the same names (tests/unit/test_command_catalogue.py checks both agree)."""

from __future__ import annotations

from contracts.activity.wishes import (ApproveWish, CancelWish, FulfilWish, IssueWishCard, PledgeWish,
                                       RedeemWishCard, SubmitWish)
from contracts.activity.care import LogActivity, LogCollectiveActivity, LogVisit
from contracts.intake.child_file import (CompleteChildPlace, EraseChildData, ExitChild, RecordConsent,
                                         SurveyNeeds, TransferChild, WithdrawConsent)
from contracts.commands import Command
from contracts.activity.concerns import AssessRisk, CloseConcern, FollowUpConcern, RaiseConcern, ReferConcern
from contracts.activity.giving import DeliverGiftPack, OpenFund, ReceiveDonation, RegisterDonor
from contracts.intake.imports import RecruitVolunteers, RegisterChildren
from contracts.intake.registration import RecruitVolunteer, RegisterChild
from contracts.pairing.matching import ApprovePair, ProposePair, RejectPair, WithdrawProposal
from contracts.pairing.pairs import EndPair, FormPair
from contracts.reporting.recognition import AwardVolunteer, DeclineNomination, NominateVolunteer
from contracts.reporting.bulletin import SetCardThresholds
from contracts.reporting.submission import AcceptSubmission, AdjustMonth, ReturnSubmission, SubmitMonth
from contracts.intake.volunteers import (CertifyVolunteer, CloseStation, FormTeam, JoinTeam, LeaveTeam,
                                         MoveTeam, OpenStation, RecordTraining, WithdrawVolunteer)

INTAKE: dict[str, type[Command]] = {
    "register_child": RegisterChild,
    "recruit_volunteer": RecruitVolunteer,
    "register_children": RegisterChildren,
    "recruit_volunteers": RecruitVolunteers,
    "survey_needs": SurveyNeeds,
    "record_consent": RecordConsent,
    "withdraw_consent": WithdrawConsent,
    "transfer_child": TransferChild,
    "complete_child_place": CompleteChildPlace,
    "exit_child": ExitChild,
    "erase_child_data": EraseChildData,
    "record_training": RecordTraining,
    "certify_volunteer": CertifyVolunteer,
    "withdraw_volunteer": WithdrawVolunteer,
    "form_team": FormTeam,
    "open_station": OpenStation,
    "close_station": CloseStation,
    "join_team": JoinTeam,
    "move_team": MoveTeam,
    "leave_team": LeaveTeam,
}
PAIRING: dict[str, type[Command]] = {
    "form_pair": FormPair,
    "end_pair": EndPair,
    "propose_pair": ProposePair,
    "approve_pair": ApprovePair,
    "reject_pair": RejectPair,
    "withdraw_proposal": WithdrawProposal,
}
ACTIVITY: dict[str, type[Command]] = {
    "log_visit": LogVisit,
    "log_activity": LogActivity,
    "log_collective_activity": LogCollectiveActivity,
    "submit_wish": SubmitWish,
    "fulfil_wish": FulfilWish,  # direct, for a wish without a wish card
    "approve_wish": ApproveWish,
    "pledge_wish": PledgeWish,
    "issue_wish_card": IssueWishCard,
    "redeem_wish_card": RedeemWishCard,
    "cancel_wish": CancelWish,
    "register_donor": RegisterDonor,
    "open_fund": OpenFund,
    "receive_donation": ReceiveDonation,
    "deliver_gift_pack": DeliverGiftPack,
    "raise_concern": RaiseConcern,
    "refer_concern": ReferConcern,
    "follow_up_concern": FollowUpConcern,
    "close_concern": CloseConcern,
    "assess_risk": AssessRisk,  # the child's care tier
}
REPORTING: dict[str, type[Command]] = {
    "submit_month": SubmitMonth,  # the monthly submission (数据上报) to the office directly above
    "return_submission": ReturnSubmission,
    "accept_submission": AcceptSubmission,
    "set_card_thresholds": SetCardThresholds,  # the 通报's blue, yellow and red cards, from a month on
    "adjust_month": AdjustMonth,  # an accepted month's figures moved since: recorded as its adjustment
    "nominate_volunteer": NominateVolunteer,  # 最美爱心妈妈: by a district or town office, her record attached
    "award_volunteer": AwardVolunteer,  # by a city or province office above her
    "decline_nomination": DeclineNomination,
}
CATALOGUE: dict[str, dict[str, type[Command]]] = {"intake": INTAKE, "pairing": PAIRING, "activity": ACTIVITY,
                                                  "reporting": REPORTING}
