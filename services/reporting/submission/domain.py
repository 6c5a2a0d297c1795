"""An office's month, pure: submitted when it is over and its figures pass the rules, reviewed by the
office directly above — returned with a reason (then corrected and submitted again) or accepted,
which locks it — and, once locked, adjusted by what is later recorded as having happened in it.

The checks before a month may be sent: it is over; it is not awaiting review or accepted already; no
figure is below zero (a stock cannot be, a flow only adds); no coverage over 100 % (children paired
never more than children on file, in all and per category); and every sub-office expected to submit
(`deadlines.AWAITED` levels with figures in the month, as the platform read them) has submitted, or
the office says why it has not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import singledispatch

from contracts.envelope import Event, FederationLevel
from contracts.intake.registration import ChildCategory
from contracts.regions import Region
from contracts.reporting.submission import (AdjustMonth, MonthAdjusted, MonthSubmitted, SubmissionAccepted,
                                            SubmissionReturned, SubmitMonth, submission_id)
from services.reporting.submission.deadlines import SUBMITTING, days_late, deadline, month_bounds
from services.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated
from services.shared.fold import fold

NONE, SUBMITTED, RETURNED, ACCEPTED = "not submitted", "submitted", "returned", "accepted"
# (part, whole): a coverage is part / whole, never over 100 %.
COVERAGES = (("children_paired", "children"),
             *((f"children_paired_category_{c}", f"children_category_{c}") for c in ChildCategory))


@dataclass(frozen=True)
class Submission:
    submission_id: str = ""
    status: str = NONE
    round: int = 0
    figures: Mapping[str, int] = field(default_factory=dict)  # as accepted, with every adjustment since


@singledispatch
def evolve(event: Event, state: Submission) -> Submission:
    return state


@evolve.register
def _(event: MonthSubmitted, state: Submission) -> Submission:
    return Submission(event.submission_id, SUBMITTED, event.round, event.figures)


@evolve.register
def _(event: SubmissionReturned, state: Submission) -> Submission:
    return replace(state, status=RETURNED)


@evolve.register
def _(event: SubmissionAccepted, state: Submission) -> Submission:
    return replace(state, status=ACCEPTED)


@evolve.register
def _(event: MonthAdjusted, state: Submission) -> Submission:
    return replace(state, figures=event.figures)


def submission_state(events: list[Event]) -> Submission:
    return fold(evolve, Submission(), events)


def office_code(region: Region) -> str:
    """How an office is named in a submission: its significant digits (`440105`)."""
    return region.prefix or "CN"


def reviewer_of(office: Region) -> Region:
    """The office directly above: a district's city, a city's province, a province's nation."""
    return office.ancestors()[-2]


def require_month_over(month: str, today: date) -> None:
    if month_bounds(month)[1] >= today:
        raise InvalidCommand("month", f"{month} is not over yet: a month is submitted from the first day of the next")


def check_figures(figures: Mapping[str, int]) -> None:
    below = sorted(key for key, value in figures.items() if value < 0)
    if below:
        raise RuleViolated(f"figures below zero cannot be submitted: {', '.join(below)}")
    for part, whole in COVERAGES:
        if figures.get(part, 0) > figures.get(whole, 0):
            raise RuleViolated(f"coverage over 100 %: {part} {figures.get(part, 0)} > {whole} {figures.get(whole, 0)}")


def sub_office_states(office: Region, expected: list[str], submitted: Mapping[str, str],
                      explanations: Mapping[str, str]) -> dict[str, str]:
    """Each expected sub-office's standing when the month is sent; refused while one has neither
    submitted nor been explained, or when an explanation names no sub-office of this office."""
    for code in explanations:
        if not (code.isdigit() and code.startswith(office.prefix) and len(code) > len(office.prefix)):
            raise InvalidCommand(f"explanations.{code}", f"{code} is not a sub-office of {office_code(office)}")
    states = {}
    missing = []
    for code in sorted(expected):
        status = submitted.get(code, NONE)
        if status in (SUBMITTED, ACCEPTED):
            states[code] = status
        elif code in explanations:
            states[code] = "explained"
        else:
            missing.append(f"{code} ({status})")
    if missing:
        raise RuleViolated("sub-offices have not submitted and are not explained (give a reason for each in "
                           f"explanations): {', '.join(missing)}")
    return states


def decide_submit(state: Submission, command: SubmitMonth, office: Region, *, today: date,
                  sub_offices: Mapping[str, str], days: Mapping[FederationLevel, int]) -> list[Event]:
    """`sub_offices`: the standing of each expected sub-office's submission of the month."""
    if office.level not in SUBMITTING:
        raise RuleViolated(f"a {office.level} office does not submit its month; its figures are in the level above's")
    require_month_over(command.month, today)
    if state.status == SUBMITTED:
        raise RuleViolated(f"{command.month} of {office_code(office)} is already submitted, awaiting review by "
                           f"{office_code(reviewer_of(office))}")
    if state.status == ACCEPTED:
        raise RuleViolated(f"{command.month} of {office_code(office)} is accepted and locked: later changes "
                           "are recorded as its adjustments")
    check_figures(command.figures)
    standing = sub_office_states(office, command.sub_offices, sub_offices, command.explanations)
    due = deadline(command.month, office.level, days)
    code = office_code(office)
    return [MonthSubmitted(
        submission_id=submission_id(code, command.month), office=code, region=office.code, month=command.month,
        round=state.round + 1, submitted_on=today, deadline=due, days_late=days_late(due, today),
        figures=dict(command.figures), sub_offices=standing,
        explanations={k: v for k, v in command.explanations.items() if k in standing})]


def require_reviewer(reviewer: Region, office: Region) -> None:
    if reviewer != reviewer_of(office):
        raise Forbidden(f"only the office directly above {office_code(office)} "
                        f"({office_code(reviewer_of(office))}) reviews its submissions, "
                        f"not {office_code(reviewer)}")


def _awaiting_review(state: Submission, office: Region, month: str) -> None:
    if state.status == NONE:
        raise NotFound(f"{office_code(office)} has not submitted {month}")
    if state.status != SUBMITTED:
        raise RuleViolated(f"{month} of {office_code(office)} is {state.status}, not awaiting review")


def decide_review(state: Submission, office: Region, reviewer: Region, month: str, *, today: date,
                  reason: str | None) -> list[Event]:
    """Accept (`reason` None) or return the month, by the office directly above."""
    if office.level not in SUBMITTING:
        raise RuleViolated(f"a {office.level} office submits no month to review")
    require_reviewer(reviewer, office)
    _awaiting_review(state, office, month)
    ids = {"submission_id": state.submission_id, "office": office_code(office), "month": month,
           "reviewer": office_code(reviewer)}
    if reason is None:
        return [SubmissionAccepted(**ids, accepted_on=today)]
    if not reason.strip():
        raise InvalidCommand("reason", "a month is returned with a reason")
    return [SubmissionReturned(**ids, returned_on=today, reason=reason)]


def decide_adjust(state: Submission, command: AdjustMonth, office: Region, *, today: date) -> list[Event]:
    """What the platform's figures of an accepted month say now, against those it holds: nothing when
    they agree, else one adjustment with the deltas."""
    if state.status != ACCEPTED:
        raise RuleViolated(f"{command.month} of {office_code(office)} is {state.status}: only an accepted "
                           "month is adjusted (a month not yet accepted is corrected and submitted again)")
    check_figures(command.figures)
    keys = sorted(set(state.figures) | set(command.figures))
    deltas = {k: command.figures.get(k, 0) - state.figures.get(k, 0) for k in keys}
    deltas = {k: d for k, d in deltas.items() if d}
    if not deltas:
        return []
    return [MonthAdjusted(submission_id=state.submission_id, office=office_code(office), month=command.month,
                          adjusted_on=today, deltas=deltas, figures=dict(command.figures))]
