"""An office's card thresholds, pure: the defaults, the check of a new setting (red stricter than
yellow, the office one that has sub-offices), and its settings folded from its own history.

Which setting a month's bulletin takes: the office's latest from a month on or before it; where the
office set none, its nearest supervising office's; else the defaults (`applying`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from functools import singledispatch

from contracts.envelope import Event, FederationLevel
from contracts.regions import Region
from contracts.reporting.bulletin import CardThresholdsSet, SetCardThresholds
from services.shared.errors import InvalidCommand
from services.shared.fold import fold


@dataclass(frozen=True)
class Thresholds:
    """Percentages and days, as `SetCardThresholds` names them. The defaults are a common
    provincial practice: four in five children paired and pairs keeping their cadence, one pair in
    ten at most with a contact overdue; three days late is behind, a week overdue."""

    coverage_yellow: int = 80
    coverage_red: int = 60
    compliance_yellow: int = 80
    compliance_red: int = 60
    overdue_yellow: int = 10
    overdue_red: int = 25
    late_yellow_days: int = 3
    late_red_days: int = 7
    notice_days: int = 3

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


DEFAULTS = Thresholds()
NAMES = tuple(f.name for f in fields(Thresholds))


@dataclass(frozen=True)
class OfficeSettings:
    """An office's settings in the order they were made: (from month, thresholds)."""

    settings: tuple[tuple[str, Thresholds], ...] = ()

    def current(self) -> Thresholds:
        return self.settings[-1][1] if self.settings else DEFAULTS


def office_id(office: Region) -> str:
    """The aggregate id of an office's thresholds: its significant code, 'CN' for national."""
    return office.prefix or office.code


def decide_set_thresholds(state: OfficeSettings, command: SetCardThresholds, *, office: Region,
                          today: date) -> list[Event]:
    if office.level is FederationLevel.community:
        raise InvalidCommand("office", f"{office.code} is a community or village: it supervises no sub-office")
    given = {name: getattr(command, name) for name in NAMES if getattr(command, name) is not None}
    chosen = replace(state.current(), **given)
    _check(chosen)
    from_month = command.from_month or today.strftime("%Y-%m")
    if from_month > f"{today.year + 1}-{today.month:02d}":
        raise InvalidCommand("from_month", f"{from_month} is more than a year ahead of {today:%Y-%m}")
    if from_month < "2000-01":
        raise InvalidCommand("from_month", f"{from_month} is before 2000-01, when no bulletin stood")
    if state.settings and state.settings[-1] == (from_month, chosen):
        return []  # nothing changes: the same thresholds from the same month
    return [CardThresholdsSet(card_thresholds_id=office_id(office), region=office.code, from_month=from_month,
                              **chosen.as_dict())]


def _check(t: Thresholds) -> None:
    """Red is the stricter card: a red threshold lies beyond its yellow one."""
    if t.coverage_red > t.coverage_yellow:
        raise InvalidCommand("coverage_red", f"{t.coverage_red}% is above coverage_yellow {t.coverage_yellow}%: "
                             "red is for coverage further below")
    if t.compliance_red > t.compliance_yellow:
        raise InvalidCommand("compliance_red", f"{t.compliance_red}% is above compliance_yellow "
                             f"{t.compliance_yellow}%: red is for compliance further below")
    if t.overdue_red < t.overdue_yellow:
        raise InvalidCommand("overdue_red", f"{t.overdue_red}% is below overdue_yellow {t.overdue_yellow}%: "
                             "red is for more contacts overdue")
    if t.late_red_days < t.late_yellow_days:
        raise InvalidCommand("late_red_days", f"{t.late_red_days} days is fewer than late_yellow_days "
                             f"{t.late_yellow_days}: red is for later submissions")


@singledispatch
def evolve_thresholds(event: Event, state: OfficeSettings) -> OfficeSettings:
    return state


@evolve_thresholds.register
def _(event: CardThresholdsSet, state: OfficeSettings) -> OfficeSettings:
    chosen = Thresholds(**{name: getattr(event, name) for name in NAMES})
    return OfficeSettings((*state.settings, (event.from_month, chosen)))


def office_settings(events: list[Event]) -> OfficeSettings:
    return fold(evolve_thresholds, OfficeSettings(), events)


def applying(settings_by_office: dict[str, list[tuple[str, Thresholds]]], office: Region,
             month: str) -> tuple[Thresholds, str | None]:
    """The thresholds of `office`'s bulletin for `month`, and the office whose they are (None: the
    defaults). `settings_by_office`: each office's settings (by `office_id`) in the order made; of
    those from `month` or before, the latest made counts."""
    for ancestor in reversed(office.ancestors()):
        found = [t for from_month, t in settings_by_office.get(office_id(ancestor), []) if from_month <= month]
        if found:
            return found[-1], office_id(ancestor)
    return DEFAULTS, None
