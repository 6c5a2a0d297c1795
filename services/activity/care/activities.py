"""Care activities, pure: who may be logged as present, and where a collective activity belongs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch

from contracts.activity.care import (ActivityLogged, LogActivity, LogCollectiveActivity,
                                     StationActivityLogged, TeamActivityLogged)
from contracts.envelope import Event
from contracts.privacy import Sealed
from contracts.intake.volunteers import StationClosed, StationOpened, TeamFormed
from services.activity.care.dates import not_before_births, not_before_forming, not_in_future
from services.pairing.domain import PairState
from services.shared.errors import InvalidCommand, NotFound, RuleViolated


@dataclass(frozen=True)
class HostState:
    """A station or a team, as far as holding an activity is concerned."""

    kind: str
    host_id: str
    exists: bool = False
    closed: bool = False
    region: str = ""
    since: date | None = None  # the day the station opened or the team was formed (None: not known)


def decide_log_activity(
    pair: PairState, command: LogActivity, *, activity_id: str, today: date, note: Sealed | None = None,
    births: Mapping[str, date | None] | None = None,
) -> list[Event]:
    """`births`: the birth dates of all the pair's children (by id): the pair was formed after the
    youngest was born, so no activity of it precedes that, whoever of them was present."""
    if not pair.exists:
        raise NotFound(f"pair {command.pair_id} does not exist")
    if not pair.active:
        raise RuleViolated(f"pair {command.pair_id} is not active (ended, or only proposed); "
                           "activities are logged for active pairs")
    not_in_future("held_on", command.held_on, today)
    not_before_births("held_on", command.held_on, births or {})
    not_before_forming("held_on", command.held_on, pair.pair_id, pair.formed_on)
    volunteers = _members("volunteer_ids", command.volunteer_ids, pair.volunteer_ids, pair.pair_id)
    children = _members("child_ids", command.child_ids, pair.child_ids, pair.pair_id)
    if not volunteers:
        raise InvalidCommand("volunteer_ids", "a pair's activity needs at least one of its volunteers")
    if not children and not command.guardians_present:
        raise InvalidCommand("child_ids", "nobody was met: name a child present or count the guardians")
    return [ActivityLogged(
        pair_id=pair.pair_id, **_facts(command, activity_id, volunteers, children, note),
        person_times=len(volunteers) + len(children) + command.guardians_present)]


def note_holder(pair: PairState, event: ActivityLogged) -> str:
    """Whose key seals a pair activity's note: the first child present, else the pair's first child
    (a call with the guardian is still about the child)."""
    return (event.child_ids or pair.child_ids)[0]


def decide_log_collective(
    host: HostState, command: LogCollectiveActivity, *, activity_id: str, today: date,
    note: Sealed | None = None,
) -> list[Event]:
    if not host.exists:
        raise NotFound(f"{host.kind} {host.host_id} does not exist")
    if host.closed:
        raise RuleViolated(f"station {host.host_id} is closed; no activity is held there")
    not_in_future("held_on", command.held_on, today)
    if host.since is not None and command.held_on < host.since:
        verb = "opened" if host.kind == "station" else "was formed"
        raise InvalidCommand("held_on", f"{command.held_on} is before the day {host.kind} {host.host_id} "
                                        f"{verb} ({host.since})")
    _no_repeats("volunteer_ids", command.volunteer_ids)
    _no_repeats("child_ids", command.child_ids)
    named = len(command.volunteer_ids) + len(command.child_ids) + command.guardians_present
    attendance = command.attendance or named
    if attendance < named:
        raise InvalidCommand("attendance", f"{attendance} is fewer than the {named} people named")
    if not attendance:
        raise InvalidCommand("attendance", "nobody attended: give the attendance or name those present")
    facts = _facts(command, activity_id, tuple(command.volunteer_ids), tuple(command.child_ids), note)
    if host.kind == "station":
        return [StationActivityLogged(station_id=host.host_id, person_times=attendance, **facts)]
    return [TeamActivityLogged(team_id=host.host_id, person_times=attendance, **facts)]


def host_of(command: LogCollectiveActivity) -> tuple[str, str]:
    """(aggregate type, id) of the station or team the activity belongs to: exactly one is named."""
    if bool(command.station_id) == bool(command.team_id):
        raise InvalidCommand("station_id", "name either the station or the team that held the activity")
    return ("station", command.station_id) if command.station_id else ("team", command.team_id)


def _facts(command, activity_id: str, volunteers: tuple[str, ...], children: tuple[str, ...],
           note: Sealed | None) -> dict:
    return dict(activity_id=activity_id, kind=command.kind, held_on=command.held_on,
                duration_minutes=command.duration_minutes, place=command.place,
                volunteer_ids=volunteers, child_ids=children,
                guardians_present=command.guardians_present, note=note,
                evidence=tuple(command.evidence))


def _members(field: str, named: Sequence[str] | None, of_pair: tuple[str, ...], pair_id: str) -> tuple[str, ...]:
    if named is None:
        return of_pair
    _no_repeats(field, named)
    for index, person in enumerate(named):
        if person not in of_pair:
            raise InvalidCommand(f"{field}.{index}", f"{person} is not in pair {pair_id}")
    return tuple(named)


def _no_repeats(field: str, ids: Sequence[str]) -> None:
    if len(set(ids)) != len(ids):
        raise InvalidCommand(field, "someone is listed twice")


@singledispatch
def evolve_host(event: Event, state: HostState) -> HostState:
    return state


@evolve_host.register
def _(event: StationOpened, state: HostState) -> HostState:
    return replace(state, exists=True, region=event.region, since=event.opened_on)


@evolve_host.register
def _(event: StationClosed, state: HostState) -> HostState:
    return replace(state, closed=True)


@evolve_host.register
def _(event: TeamFormed, state: HostState) -> HostState:
    return replace(state, exists=True, region=event.region, since=event.formed_on)


def host_state(kind: str, host_id: str, events: list[Event]) -> HostState:
    state = HostState(kind, host_id)
    for event in events:
        state = evolve_host(event, state)
    return state
