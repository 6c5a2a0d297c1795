"""The ledger's side of a volunteer's team: the standing row of each volunteer names the team she is
in, so that her service minutes logged from then on count to it (care.py credits an activity held
by no team to the volunteer's own)."""

from __future__ import annotations

from contracts.intake.volunteers import VolunteerJoinedTeam, VolunteerLeftTeam, VolunteerMovedTeam
from services.projections.figures.state import Batch, Fact


def team_changed(b: Batch, f: Fact) -> None:
    e = f.event
    if b.volunteers.get(e.volunteer_id) is None:
        return
    team = e.to_team_id if isinstance(e, VolunteerMovedTeam) else None if isinstance(e, VolunteerLeftTeam) else e.team_id
    b.volunteers.change(e.volunteer_id, team_id=team)


APPLY = {VolunteerJoinedTeam: team_changed, VolunteerMovedTeam: team_changed, VolunteerLeftTeam: team_changed}
