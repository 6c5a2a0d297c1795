"""The intake service: where every child's and volunteer's record starts, and the child's file,
volunteers' training, teams and stations are kept."""

from contracts.intake.child_file import (CompleteChildPlace, EraseChildData, ExitChild, RecordConsent,
                                         SurveyNeeds, TransferChild, WithdrawConsent)
from contracts.intake.imports import RecruitVolunteers, RegisterChildren
from contracts.intake.registration import RecruitVolunteer, RegisterChild
from contracts.intake.volunteers import (CertifyVolunteer, CloseStation, FormTeam, JoinTeam, LeaveTeam,
                                         MoveTeam, OpenStation, RecordTraining, WithdrawVolunteer)
from services.intake import bulk
from services.intake import file_handlers as file
from services.intake import membership_handlers as teams
from services.intake.handlers import recruit_volunteer, register_child
from services.shared.endpoints import Routes

CONTEXT = "intake"
ROUTES: Routes = {
    "register_child": (RegisterChild, register_child),
    "recruit_volunteer": (RecruitVolunteer, recruit_volunteer),
    "register_children": (RegisterChildren, bulk.register_children),
    "recruit_volunteers": (RecruitVolunteers, bulk.recruit_volunteers),
    "survey_needs": (SurveyNeeds, file.survey_needs),
    "record_consent": (RecordConsent, file.record_consent),
    "withdraw_consent": (WithdrawConsent, file.withdraw_consent),
    "transfer_child": (TransferChild, file.transfer_child),
    "complete_child_place": (CompleteChildPlace, file.complete_child_place),
    "exit_child": (ExitChild, file.exit_child),
    "erase_child_data": (EraseChildData, file.erase_child_data),
    "record_training": (RecordTraining, file.record_training),
    "certify_volunteer": (CertifyVolunteer, file.certify_volunteer),
    "withdraw_volunteer": (WithdrawVolunteer, file.withdraw_volunteer),
    "form_team": (FormTeam, file.form_team),
    "open_station": (OpenStation, file.open_station),
    "close_station": (CloseStation, file.close_station),
    "join_team": (JoinTeam, teams.join_team),
    "move_team": (MoveTeam, teams.move_team),
    "leave_team": (LeaveTeam, teams.leave_team),
}
