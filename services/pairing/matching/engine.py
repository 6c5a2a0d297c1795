"""Suggestions for one child and batch proposals for a street or district: pure functions over a
snapshot of the matching read model. They propose; the aggregates decide on approval.

The batch maximises the total score under every volunteer's free capacity with SciPy's
`linear_sum_assignment` (a maintained, exact shortest-augmenting-path solver in C++). Each volunteer
is expanded into one column per free place; a district is dense (everyone in it may be paired with
everyone), so a dense matrix suits it better than the sparse `min_weight_full_bipartite_matching`,
and a min-cost flow in pure Python (networkx) would be far slower for five million arcs. Infeasible
pairs weigh 0, like leaving the child unmatched: since every feasible pair scores more than 0 and
any matching extends to a full assignment, the optimal assignment less its zero-weight pairs is a
maximum-score matching.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from services.pairing.matching.profiles import ChildProfile, Snapshot, VolunteerProfile
from services.pairing.matching.scoring import KNOWN_BEFORE, Reason, excluded, explain, score_matrix

TIER_ORDER = {"red": 0, "orange": 1, "yellow": 2, "blue": 3, None: 4}
SOLVER = "scipy.optimize.linear_sum_assignment"


@dataclass(frozen=True)
class Candidate:
    child_id: str
    volunteer_id: str
    mode: str  # one_to_one, or family for a caring family
    score: int
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict:
        return {"child_id": self.child_id, "volunteer_id": self.volunteer_id, "mode": self.mode,
                "score": self.score, "reasons": [r.as_dict() for r in self.reasons]}


@dataclass
class Suggestions:
    child_id: str
    blocked: list[str]  # why the child cannot be paired now (empty: it can)
    candidates: list[Candidate]
    passed_over: dict[str, int] = field(default_factory=dict)  # volunteers left out, by reason

    def as_dict(self) -> dict:
        return {"child_id": self.child_id, "pairable": not self.blocked, "blocked": self.blocked,
                "candidates": [c.as_dict() for c in self.candidates], "passed_over": self.passed_over}


@dataclass
class BatchProposal:
    scope: str
    proposals: list[Candidate]
    unmatched: list[dict]  # children who need a pair and got none: why
    passed_over: dict[str, int]
    set_aside: list[dict] = field(default_factory=list)  # children who need no new pair now: why

    @property
    def total_score(self) -> int:
        return sum(c.score for c in self.proposals)

    def as_dict(self) -> dict:
        return {"region": self.scope, "solver": SOLVER, "total_score": self.total_score,
                "proposals": [c.as_dict() for c in self.proposals], "unmatched": self.unmatched,
                "set_aside": self.set_aside, "passed_over": self.passed_over}


def candidate(child: ChildProfile, volunteer: VolunteerProfile, snapshot: Snapshot) -> Candidate:
    reasons = tuple(explain(child, volunteer, snapshot.history.get((child.child_id, volunteer.volunteer_id))))
    mode = "family" if volunteer.kind == "family" else "one_to_one"
    return Candidate(child.child_id, volunteer.volunteer_id, mode, sum(r.points for r in reasons), reasons)


def suggest(child: ChildProfile, snapshot: Snapshot, top: int = 5) -> Suggestions:
    """Ranked volunteers for one child, best first, each with the reasons for its score."""
    passed: Counter[str] = Counter()
    ranked = []
    for volunteer in snapshot.volunteers:
        past = snapshot.history.get((child.child_id, volunteer.volunteer_id))
        if why := volunteer.unavailable():
            passed[why] += 1
        elif volunteer.region[:6] != child.region[:6]:
            passed["outside the child's district"] += 1
        elif excluded(past):
            passed["already paired or proposed with this child, or an earlier pair ended as a mismatch"] += 1
        else:
            ranked.append(candidate(child, volunteer, snapshot))
    ranked.sort(key=lambda c: (-c.score, c.volunteer_id))
    return Suggestions(child.child_id, child.blocked(), ranked[:top], dict(passed))


def batch(snapshot: Snapshot) -> BatchProposal:
    """One proposal per child at most, of maximum total score, within every volunteer's free places."""
    children = sorted(snapshot.children, key=lambda c: (TIER_ORDER[c.tier], c.child_id))
    blocked = {c.child_id: c.blocked() for c in children}
    rows = [c for c in children if not blocked[c.child_id]]
    passed = Counter(v.unavailable() for v in snapshot.volunteers if v.unavailable())
    columns = [v for v in snapshot.volunteers if not v.unavailable()]
    weights = pair_weights(rows, columns, snapshot)
    chosen = _solve(weights, [min(v.free, len(rows)) for v in columns])
    proposals = [candidate(rows[i], columns[j], snapshot) for i, j in chosen]
    # The explanations are recomputed for the chosen pairs: they must add up to what was optimised.
    assert all(p.score == weights[i, j] for p, (i, j) in zip(proposals, chosen)), "explanation drifted"
    matched = {i for i, _ in chosen}
    feasible = (weights > 0).sum(axis=1)
    # Children paired already, awaiting approval of a proposal or gone are not unmatched: they are set aside.
    aside = [{"child_id": c.child_id, "tier": c.tier, "reasons": blocked[c.child_id]} for c in children
             if c.needs_no_pair()]
    unmatched = [{"child_id": c.child_id, "tier": c.tier, "reasons": blocked[c.child_id]} for c in children
                 if blocked[c.child_id] and not c.needs_no_pair()]
    unmatched += [{"child_id": c.child_id, "tier": c.tier,
                   "reasons": [_unmatched_reason(int(feasible[i]), snapshot.scope)]}
                  for i, c in enumerate(rows) if i not in matched]
    unmatched.sort(key=lambda u: (TIER_ORDER[u["tier"]], u["child_id"]))
    tiers = {c.child_id: c.tier for c in rows}
    proposals.sort(key=lambda p: (TIER_ORDER[tiers[p.child_id]], -p.score, p.child_id))
    return BatchProposal(snapshot.scope, proposals, unmatched, {k: n for k, n in passed.items() if k}, aside)


def pair_weights(rows: list[ChildProfile], columns: list[VolunteerProfile], snapshot: Snapshot) -> np.ndarray:
    """Scores of feasible pairs; 0 where the pair is infeasible."""
    weights = score_matrix(rows, columns)
    if not rows or not columns:
        return weights
    child_district = np.array([int(c.region[:6]) for c in rows])
    volunteer_district = np.array([int(v.region[:6]) for v in columns])
    weights[child_district[:, None] != volunteer_district[None, :]] = 0  # pools are kept per district
    row_of = {c.child_id: i for i, c in enumerate(rows)}
    column_of = {v.volunteer_id: j for j, v in enumerate(columns)}
    for (child_id, volunteer_id), past in snapshot.history.items():
        i, j = row_of.get(child_id), column_of.get(volunteer_id)
        if i is None or j is None or not weights[i, j]:
            continue
        weights[i, j] = 0 if excluded(past) else weights[i, j] + (KNOWN_BEFORE if past.status == "ended" else 0)
    return weights


def _solve(weights: np.ndarray, places: list[int]) -> list[tuple[int, int]]:
    """(row, column) pairs of a maximum-weight matching in which column j is used `places[j]` times."""
    if weights.size == 0 or not sum(places):
        return []
    slot_column = np.repeat(np.arange(len(places)), places)
    rows, slots = linear_sum_assignment(weights[:, slot_column], maximize=True)
    return [(int(i), int(slot_column[s])) for i, s in zip(rows, slots) if weights[i, slot_column[s]] > 0]


def _unmatched_reason(feasible: int, scope: str) -> str:
    if not feasible:
        return f"no volunteer in {scope} with a free place may be paired with this child"
    return (f"{feasible} volunteer(s) could take this child, but their places went to pairs "
            f"that score more in total")

