"""The activity service: visits logged for active pairs, micro-wishes submitted and fulfilled."""

from contracts.activity import FulfilWish, LogVisit, SubmitWish
from services.activity.handlers import fulfil_wish, log_visit, submit_wish
from services.shared.endpoints import Routes

CONTEXT = "activity"
ROUTES: Routes = {
    "log_visit": (LogVisit, log_visit),
    "submit_wish": (SubmitWish, submit_wish),
    "fulfil_wish": (FulfilWish, fulfil_wish),
}
