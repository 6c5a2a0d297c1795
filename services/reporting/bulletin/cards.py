"""The 通报's rules, pure: how a sub-office stood in a month on four measures, the cards its
supervising office's thresholds give it, its score, and the ranking.

The four measures, each a share from 0 to 1 (None where there is nothing to measure):
- timeliness: its month's first submission on or before the deadline 1; late, a tenth less a day
  (0 from ten days); not submitted once the deadline has passed 0; not yet due 1 (None where its
  month is not awaited: a village submits none, a town's is welcome but not awaited).
- coverage: children paired of children on file at the month's end (None without children).
- five ones: pairs active in the month that missed no rule of the cadence (None without pairs).
- overdue contacts: 1 less the share of active pairs with a contact overdue at the month's end
  (None without active pairs).

Cards, each with its reason (an office may hold several; its card is the most severe):
- red: not submitted once the deadline has passed, or submitted `late_red_days` or more late;
  coverage or five-ones below their red %; overdue contacts above their red %.
- yellow: submitted `late_yellow_days` or more late; coverage or five-ones below their yellow %;
  overdue contacts above their yellow %.
- blue (a notice): submitted late by fewer days than yellow, or not yet submitted with the deadline
  `notice_days` or fewer away.

Score: the mean of the measures it has, times 100, to one decimal. Ranking: by score, highest first;
equal scores by code, so the same figures always give the same ranks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.reporting.bulletin import Card
from services.reporting.bulletin.thresholds import Thresholds

SEVERITY = {Card.blue: 1, Card.yellow: 2, Card.red: 3}
LATE_STEP = 0.1  # of timeliness lost per day late


@dataclass(frozen=True)
class Standing:
    """What a sub-office did in the month, as the read side found it."""

    code: str
    name: str
    deadline: date | None  # None: an office whose month is not awaited (a village, a town that did not send it)
    late_by: int | None = None  # days after the deadline its month was first sent (None: not sent)
    submitted_on: date | None = None  # its month's last submission (after a return, the correction's)
    status: str | None = None  # submitted, returned or accepted: where its submission stands now
    children: int = 0
    children_paired: int = 0
    pairs: int = 0  # pairs active in the month, judged on their cadence
    pairs_compliant: int = 0
    active_pairs: int = 0  # at the month's end
    contacts_overdue: int = 0  # at the month's end


@dataclass(frozen=True)
class Judged:
    card: Card
    measure: str  # timeliness, coverage, compliance or overdue
    reason: str  # a key: not_submitted, late, deadline_near, below_red, below_yellow, above_red, above_yellow
    value: float | int  # days late (or to the deadline), or the share in %


def days_late(s: Standing, today: date) -> int | None:
    """Days after the deadline it was submitted, or has not been (None: not submitted, not yet due,
    or no month of its own to submit)."""
    if s.deadline is None:
        return None
    if s.late_by is not None:
        return s.late_by
    return (today - s.deadline).days if today > s.deadline else None


def measures(s: Standing, today: date) -> dict[str, float | None]:
    late, timeliness = days_late(s, today), None
    if s.deadline is not None:
        timeliness = 1.0 if late is None else 0.0 if s.late_by is None else max(0.0, 1 - LATE_STEP * late)
    return {"timeliness": None if timeliness is None else round(timeliness, 4),
            "coverage": _share(s.children_paired, s.children),
            "compliance": _share(s.pairs_compliant, s.pairs),
            "overdue": None if not s.active_pairs else round(1 - min(1.0, s.contacts_overdue / s.active_pairs), 4)}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def cards(s: Standing, t: Thresholds, today: date) -> list[Judged]:
    """Every card the thresholds give, most severe first (then in the measures' order)."""
    found = _timeliness_card(s, t, today)
    m = measures(s, today)
    for measure, red, yellow in (("coverage", t.coverage_red, t.coverage_yellow),
                                 ("compliance", t.compliance_red, t.compliance_yellow)):
        if m[measure] is not None:
            pct = round(m[measure] * 100, 1)
            if pct < red:
                found.append(Judged(Card.red, measure, "below_red", pct))
            elif pct < yellow:
                found.append(Judged(Card.yellow, measure, "below_yellow", pct))
    if m["overdue"] is not None:
        pct = round((1 - m["overdue"]) * 100, 1)
        if pct > t.overdue_red:
            found.append(Judged(Card.red, "overdue", "above_red", pct))
        elif pct > t.overdue_yellow:
            found.append(Judged(Card.yellow, "overdue", "above_yellow", pct))
    return sorted(found, key=lambda j: -SEVERITY[j.card])


def _timeliness_card(s: Standing, t: Thresholds, today: date) -> list[Judged]:
    late = days_late(s, today)
    if s.deadline is None:
        return []
    if late is None:  # not submitted, not yet due: a notice once the deadline is near
        ahead = (s.deadline - today).days
        return [Judged(Card.blue, "timeliness", "deadline_near", ahead)] if ahead <= t.notice_days else []
    if s.late_by is None:
        return [Judged(Card.red, "timeliness", "not_submitted", late)]
    if late >= t.late_red_days:
        return [Judged(Card.red, "timeliness", "late", late)]
    if late >= t.late_yellow_days:
        return [Judged(Card.yellow, "timeliness", "late", late)]
    return [Judged(Card.blue, "timeliness", "late", late)] if late else []


def score(m: dict[str, float | None]) -> float:
    present = [v for v in m.values() if v is not None]
    return round(100 * sum(present) / len(present), 1) if present else 0.0


def ranked(standings: list[Standing], t: Thresholds, today: date) -> list[dict]:
    """One row per sub-office, best first: rank, its measures, score, cards and its card."""
    rows = []
    for s in standings:
        m, judged = measures(s, today), cards(s, t, today)
        rows.append({"region": s.code, "name": s.name, "deadline": s.deadline.isoformat() if s.deadline else None,
                     "submitted_on": s.submitted_on.isoformat() if s.submitted_on else None,
                     "days_late": days_late(s, today), "status": s.status,
                     "children": s.children, "children_paired": s.children_paired, "pairs": s.pairs,
                     "pairs_compliant": s.pairs_compliant, "active_pairs": s.active_pairs,
                     "contacts_overdue": s.contacts_overdue, "measures": m, "score": score(m),
                     "card": judged[0].card.value if judged else None,
                     "cards": [{"card": j.card.value, "measure": j.measure, "reason": j.reason, "value": j.value}
                               for j in judged]})
    rows.sort(key=lambda r: (-r["score"], r["region"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def card_counts(rows: list[dict]) -> dict[str, int]:
    """How many sub-offices hold each card (by their most severe)."""
    return {card.value: sum(r["card"] == card.value for r in rows) for card in Card}
