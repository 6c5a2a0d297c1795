"""The reporting service's routes: the monthly submission (数据上报), each part of the paperwork
upward handled by its own sub-package."""

from contracts.reporting.recognition import AwardVolunteer, DeclineNomination, NominateVolunteer
from contracts.reporting.bulletin import SetCardThresholds
from contracts.reporting.submission import AcceptSubmission, AdjustMonth, ReturnSubmission, SubmitMonth
from services.reporting.recognition import handlers as recognition
from services.reporting.bulletin import handlers as bulletin
from services.reporting.submission import handlers as submission
from services.shared.endpoints import Routes

CONTEXT = "reporting"
ROUTES: Routes = {
    "submit_month": (SubmitMonth, submission.submit_month),
    "return_submission": (ReturnSubmission, submission.return_submission),
    "accept_submission": (AcceptSubmission, submission.accept_submission),
    "set_card_thresholds": (SetCardThresholds, bulletin.set_card_thresholds),  # the 通报's cards
    "adjust_month": (AdjustMonth, submission.adjust_month),  # also the platform's, when a locked month moves
    "nominate_volunteer": (NominateVolunteer, recognition.nominate_volunteer),  # 最美爱心妈妈
    "award_volunteer": (AwardVolunteer, recognition.award_volunteer),
    "decline_nomination": (DeclineNomination, recognition.decline_nomination),
}
