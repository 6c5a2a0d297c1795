"""Ledger rules, pure, for care and giving: activities with their minutes and person-times, wishes,
funds, gift packs, teams and stations.

Service minutes are volunteer-minutes: an activity's duration once for every volunteer present (a
visit's are the pair's). Each volunteer's minutes also count to one team: the team that held the
activity, else the volunteer's own; an activity counts once per team however many came.

Person-times as the reports count them: those served — the children named, the guardians present
and the rest of the attendance (`person_times`, split into `child_person_times`,
`guardian_person_times`, `other_person_times`) — apart from the volunteers serving
(`volunteer_person_times`); with them, everyone present (`attendance`). A collective activity's
attendance is counted as given: 160 with 20 children and 5 volunteers named and 10 guardians is
20 children, 10 guardians, 125 others served and 5 volunteers serving.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from contracts.activity.care import ActivityLogged, StationActivityLogged, TeamActivityLogged, VisitLogged
from contracts.activity.wishes import WishCancelled, WishFulfilled, WishPledged, WishSubmitted
from contracts.activity.giving import (DonationReceived, DonorRegistered, FundAllocated,
                                       FundAllocationReleased, FundOpened, GiftPackDelivered)
from contracts.activity.reminders import ReminderRule
from contracts.intake.volunteers import StationClosed, StationOpened, TeamFormed
from services.projections.figures.reminders import close_about, contacted
from services.projections.figures.state import Batch, Fact


def split(attendance: int, volunteers: int, children: int, guardians: int) -> dict[str, int]:
    """An activity's person-times by who was there: everyone present (`attendance`, as given, never
    fewer than those named), the volunteers serving, and those served — children named, guardians
    present, the rest of the attendance."""
    attendance = max(attendance, volunteers + children + guardians)
    others = attendance - volunteers - children - guardians
    return {"attendance": attendance, "volunteer_person_times": volunteers,
            "person_times": children + guardians + others, "child_person_times": children,
            "guardian_person_times": guardians, "other_person_times": others}


def _held(b: Batch, f: Fact, *, day: date, kind: str, host: str, minutes: int, volunteers: Sequence[str],
          children: Sequence[str], person_times: int, guardians: int = 0, team: str | None = None) -> None:
    b.count(f.region, day, "activities", f"activities_kind_{kind}", f"activities_by_{host}")
    b.count(f.region, day, "activity_minutes", step=minutes)
    b.count(f.region, day, "service_minutes", step=minutes * len(volunteers))
    for figure, step in split(person_times, len(volunteers), len(children), guardians).items():
        if step:
            b.count(f.region, day, figure, step=step)
    teams: dict[str, int] = {}
    for volunteer_id in dict.fromkeys(volunteers):
        b.serve("volunteer", volunteer_id, day, minutes)
        own = b.volunteers.get(volunteer_id)
        credited = team or (own["team_id"] if own else None)
        if credited:
            teams[credited] = teams.get(credited, 0) + minutes
    for team_id, team_minutes in teams.items():
        b.serve("team", team_id, day, team_minutes)


def _contact(b: Batch, pair_id: str | None, children: Sequence[str], held_on: date) -> None:
    if pair_id is not None and (pair := b.pairs.get(pair_id)) is not None:
        if pair["last_contact"] is None or pair["last_contact"] < held_on:
            b.pairs.change(pair_id, last_contact=held_on)
        contacted(b, pair_id, ReminderRule.contact_overdue, held_on)
    for child_id in children:
        if (child := b.children.get(child_id)) is not None:
            if child["last_contact"] is None or child["last_contact"] < held_on:
                b.children.change(child_id, last_contact=held_on)
            contacted(b, child_id, ReminderRule.red_tier_without_contact, held_on)


def visited(b: Batch, f: Fact) -> None:
    e: VisitLogged = f.event
    pair = b.pairs.get(e.pair_id)
    volunteers = pair["volunteer_ids"] if pair else []
    _held(b, f, day=e.visited_on, kind=e.kind.value, host="pair", minutes=e.duration_minutes,
          volunteers=volunteers, children=e.child_ids, person_times=len(volunteers) + len(e.child_ids))
    _contact(b, e.pair_id, e.child_ids, e.visited_on)


def pair_activity(b: Batch, f: Fact) -> None:
    e: ActivityLogged = f.event
    _held(b, f, day=e.held_on, kind=e.kind.value, host="pair", minutes=e.duration_minutes,
          volunteers=e.volunteer_ids, children=e.child_ids, person_times=e.person_times,
          guardians=e.guardians_present)
    _contact(b, e.pair_id, e.child_ids, e.held_on)


def collective(b: Batch, f: Fact) -> None:
    e: StationActivityLogged | TeamActivityLogged = f.event
    team = e.team_id if isinstance(e, TeamActivityLogged) else None
    _held(b, f, day=e.held_on, kind=e.kind.value, host="team" if team else "station", minutes=e.duration_minutes,
          volunteers=e.volunteer_ids, children=e.child_ids, person_times=e.person_times,
          guardians=e.guardians_present, team=team)
    _contact(b, None, e.child_ids, e.held_on)


def wish_submitted(b: Batch, f: Fact) -> None:
    b.count(f.region, f.day, "wishes_submitted", "wishes_open")


def wish_pledged(b: Batch, f: Fact) -> None:
    b.count(f.region, f.day, "wishes_pledged")


def wish_closed(b: Batch, f: Fact) -> None:
    e: WishFulfilled | WishCancelled = f.event
    figure = "wishes_fulfilled" if isinstance(e, WishFulfilled) else "wishes_cancelled"
    b.count(f.region, f.day, figure)
    b.count(f.region, f.day, "wishes_open", step=-1)
    b.closed_wishes.put(e.wish_id, {"wish_id": e.wish_id, "closed_on": f.day})
    close_about(b, e.wish_id, ReminderRule.wish_waiting, f.day)


def fund_opened(b: Batch, f: Fact) -> None:
    b.count(f.region, f.day, "funds")


def donor_registered(b: Batch, f: Fact) -> None:
    b.count(f.region, f.day, "donors")


def donation(b: Batch, f: Fact) -> None:
    e: DonationReceived = f.event
    b.count(f.region, e.received_on, "funds_raised_fen", "fund_balance_fen", step=e.amount_fen)


def allocated(b: Batch, f: Fact) -> None:
    e: FundAllocated | FundAllocationReleased = f.event
    step = e.amount_fen if isinstance(e, FundAllocated) else -e.amount_fen
    b.count(f.region, f.day, "funds_allocated_fen", step=step)
    b.count(f.region, f.day, "fund_balance_fen", step=-step)


def gift_pack(b: Batch, f: Fact) -> None:
    e: GiftPackDelivered = f.event
    b.count(e.region, e.delivered_on, "gift_packs", f"gift_packs_version_{e.version.value}")


def station_changed(b: Batch, f: Fact) -> None:
    b.count(f.region, f.day, "stations_open", step=1 if isinstance(f.event, StationOpened) else -1)


def team_formed(b: Batch, f: Fact) -> None:
    e: TeamFormed = f.event
    b.teams.put(e.team_id, {"team_id": e.team_id, "region": f.region, "level": e.level.value})
    b.count(f.region, f.day, "teams", f"teams_level_{e.level.value}")


APPLY = {
    VisitLogged: visited, ActivityLogged: pair_activity, StationActivityLogged: collective,
    TeamActivityLogged: collective, WishSubmitted: wish_submitted, WishPledged: wish_pledged,
    WishFulfilled: wish_closed, WishCancelled: wish_closed, FundOpened: fund_opened,
    DonorRegistered: donor_registered, DonationReceived: donation, FundAllocated: allocated,
    FundAllocationReleased: allocated, GiftPackDelivered: gift_pack, StationOpened: station_changed,
    StationClosed: station_changed, TeamFormed: team_formed,
}
