"""The intake service: where every child's and volunteer's record starts."""

from contracts.intake import RecruitVolunteer, RegisterChild
from services.intake.handlers import recruit_volunteer, register_child
from services.shared.endpoints import Routes

CONTEXT = "intake"
ROUTES: Routes = {
    "register_child": (RegisterChild, register_child),
    "recruit_volunteer": (RecruitVolunteer, recruit_volunteer),
}
