"""The 通报 (supervision bulletin): each month, an office ranks the sub-offices it supervises and
gives them blue, yellow or red cards. The bulletin itself is worked out on read from the month's
submissions and figures; what an office decides, and what stands in the log, is the thresholds its
cards are given by (`SetCardThresholds` → `CardThresholdsSet`), from a month on.

Shares are whole percentages and lateness whole days, as an office writes them in its rules."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from contracts.commands import Command
from contracts.envelope import Event
from contracts.text import RegionCode

Percent = Annotated[int, Field(ge=0, le=100)]
Days = Annotated[int, Field(ge=1, le=60)]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="a month, e.g. 2026-11")]


class Card(StrEnum):
    """Least to most severe: blue a notice (a deadline near, a few days late), yellow behind, red
    overdue or far below the office's thresholds."""

    blue = "blue"
    yellow = "yellow"
    red = "red"


class SetCardThresholds(Command):
    """An office's thresholds for the cards of the sub-offices it supervises, from `from_month` on.
    A threshold left out keeps the office's current one (or the default, where it set none)."""

    office: RegionCode = Field(description="the supervising office: CN or a province, city, district or street code")
    from_month: Month | None = Field(default=None, description="the first month they apply to; default: this month")
    coverage_yellow: Percent | None = Field(default=None, description="pairing coverage below this %: yellow")
    coverage_red: Percent | None = Field(default=None, description="pairing coverage below this %: red")
    compliance_yellow: Percent | None = Field(default=None, description="pairs keeping the five ones below this %: yellow")
    compliance_red: Percent | None = Field(default=None, description="pairs keeping the five ones below this %: red")
    overdue_yellow: Percent | None = Field(default=None, description="active pairs with a contact overdue above this %: yellow")
    overdue_red: Percent | None = Field(default=None, description="active pairs with a contact overdue above this %: red")
    late_yellow_days: Days | None = Field(default=None, description="submitted this many days late or more: yellow (fewer: blue)")
    late_red_days: Days | None = Field(default=None, description="submitted this many days late or more: red")
    notice_days: Days | None = Field(default=None, description="not submitted with the deadline this many days away or fewer: blue")


class CardThresholdsSet(Event):
    """The thresholds an office's bulletins card its sub-offices by, from `from_month` on (until a
    later setting's month). Its aggregate is the office's own: `card_thresholds` of its code."""

    aggregate_type: ClassVar[str] = "card_thresholds"
    card_thresholds_id: str = Field(description="the office's significant code ('CN', '32', '3206', …)")
    region: str = Field(description="the office's 12-digit code ('CN' for national)")
    from_month: str
    coverage_yellow: int
    coverage_red: int
    compliance_yellow: int
    compliance_red: int
    overdue_yellow: int
    overdue_red: int
    late_yellow_days: int
    late_red_days: int
    notice_days: int
