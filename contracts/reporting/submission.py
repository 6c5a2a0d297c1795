"""The monthly submission (数据上报): an office sends its subtree's figures of a month that is over to
the office directly above, which accepts it or returns it with a reason; a returned month is
corrected and sent again; an accepted month is locked, and whatever is later recorded as having
happened in it shows as an adjustment of that month (MonthAdjusted), never as a silent change.

One aggregate per office and month, `submission`, with the id `<office>-<YYYY-MM>` (`submission_id`),
owned by the office's region. The figures are the platform's, never the sender's: the HTTP API fills
them in from the read side when the command is sent (`filled_by_server`); a body naming them is
refused. Figures are the stored keys of the figure catalogue (counts, minutes, fen), flows within
the month and stocks at its end.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from contracts.commands import Command
from contracts.envelope import Event
from contracts.text import Reason, RegionCode

Month = Annotated[str, StringConstraints(pattern=r"^2[0-9]{3}-(0[1-9]|1[0-2])$")]
"""A calendar month, `YYYY-MM`, of this millennium (the programme's records start in it)."""
Figures = dict[str, int]
Explanations = Annotated[dict[RegionCode, Reason], Field(max_length=500)]


def submission_id(office: str, month: str) -> str:
    """The aggregate id of an office's month: `440105-2026-11`."""
    return f"{office}-{month}"


# --- commands ---

class SubmitMonth(Command):
    """Submit an office's month, over, to the office directly above (again, once returned)."""

    filled_by_server: ClassVar[frozenset[str]] = frozenset({"figures", "sub_offices"})

    office: RegionCode
    month: Month
    explanations: Explanations = Field(
        default_factory=dict, description="why a sub-office has not submitted, by its code")
    figures: Figures = Field(default_factory=dict, description="filled in by the platform")
    sub_offices: list[RegionCode] = Field(
        default_factory=list, description="filled in by the platform: the sub-offices expected to submit")


class ReturnSubmission(Command):
    """Return a sub-office's submitted month, saying why (the office directly above)."""

    office: RegionCode
    month: Month
    reason: Reason


class AcceptSubmission(Command):
    """Accept a sub-office's submitted month, which locks it (the office directly above)."""

    office: RegionCode
    month: Month


class AdjustMonth(Command):
    """Record what changed in an accepted month since it was accepted: the platform's figures of the
    month now, against those accepted and adjusted so far (nothing when they agree)."""

    filled_by_server: ClassVar[frozenset[str]] = frozenset({"figures"})

    office: RegionCode
    month: Month
    figures: Figures = Field(default_factory=dict, description="filled in by the platform")


# --- events ---

class MonthSubmitted(Event):
    aggregate_type: ClassVar[str] = "submission"
    submission_id: str
    office: str
    region: str = Field(description="the office's region: the aggregate's owner")
    month: str
    round: int = Field(description="1 for the first submission, 2 after one return, …")
    submitted_on: date
    deadline: date
    days_late: int = Field(description="days after the deadline it was sent (0: in time)")
    figures: Figures
    sub_offices: dict[str, str] = Field(
        description="each sub-office expected: 'submitted', 'accepted' or 'explained' when this was sent")
    explanations: dict[str, str] = Field(description="why a sub-office had not submitted, by its code")


class SubmissionReturned(Event):
    aggregate_type: ClassVar[str] = "submission"
    submission_id: str
    office: str
    month: str
    reviewer: str = Field(description="the reviewing office")
    returned_on: date
    reason: str


class SubmissionAccepted(Event):
    aggregate_type: ClassVar[str] = "submission"
    submission_id: str
    office: str
    month: str
    reviewer: str = Field(description="the reviewing office")
    accepted_on: date


class MonthAdjusted(Event):
    """Something recorded after the month was accepted happened in it: the figures' deltas since
    the last adjustment (or the acceptance)."""

    aggregate_type: ClassVar[str] = "submission"
    submission_id: str
    office: str
    month: str
    adjusted_on: date
    deltas: Figures
    figures: Figures = Field(description="the month's figures with this adjustment")
