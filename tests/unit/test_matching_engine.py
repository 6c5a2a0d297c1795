"""The matching engine, pure: explained scores, suggestions, and batch proposals whose total is
checked against independent optima (brute force, the LP relaxation, a second assignment solver)."""

from __future__ import annotations

import itertools
import random
import time

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack, identity, lil_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from services.pairing.matching.engine import TIER_ORDER, pair_weights, batch, suggest
from services.pairing.matching.profiles import ChildProfile, PastPair, Snapshot, VolunteerProfile
from services.pairing.matching.scoring import excluded, explain, score_matrix
from tooling.synthetic.district import district_snapshot

HOME, NEIGHBOUR, STREET2, OTHER_DISTRICT = "440105001101", "440105001102", "440105002101", "440117001001"


def kid(child_id: str, region: str = HOME, **fields) -> ChildProfile:
    return ChildProfile(**{"child_id": child_id, "region": region, "sex": "female", "age": 10,
                           "consent": True, **fields})


def mother(volunteer_id: str, region: str = HOME, **fields) -> VolunteerProfile:
    return VolunteerProfile(**{"volunteer_id": volunteer_id, "region": region, "sex": "female",
                               "kind": "mother", "capacity": 1, **fields})


def snapshot(children, volunteers, history=None) -> Snapshot:
    return Snapshot("440105000000", tuple(children), tuple(volunteers), history or {})


def test_every_score_is_the_sum_of_its_explained_reasons() -> None:
    district = district_snapshot(120, 150, seed=7)
    children, volunteers = list(district.children), [v for v in district.volunteers if v.free > 0]
    matrix = score_matrix(children, volunteers)
    for i, j in itertools.product(range(0, 120, 7), range(0, len(volunteers), 5)):
        assert matrix[i, j] == sum(r.points for r in explain(children[i], volunteers[j]))


def test_the_region_tree_ranks_community_before_street_before_district() -> None:
    child = kid("c1")
    volunteers = [mother("v-district", STREET2), mother("v-street", NEIGHBOUR), mother("v-community"),
                  mother("v-elsewhere", OTHER_DISTRICT)]
    result = suggest(child, snapshot([child], volunteers))
    assert [c.volunteer_id for c in result.candidates] == ["v-community", "v-street", "v-district"]
    assert result.passed_over == {"outside the child's district": 1}
    texts = [r.text for r in result.candidates[0].reasons]
    assert "same community (下渡社区居委会)" in texts


def test_needs_are_met_by_specialties_in_either_language_and_explained() -> None:
    child = kid("c1", needs=("psychological_counselling", "reading_and_study_trips"))
    volunteers = [mother("v-psy", specialties=("心理咨询",)), mother("v-both", specialties=("psychology", "tutoring")),
                  mother("v-none", specialties=("law",))]
    ranked = suggest(child, snapshot([child], volunteers)).candidates
    assert [c.volunteer_id for c in ranked] == ["v-both", "v-psy", "v-none"]
    assert ranked[0].score - ranked[2].score == 24
    assert {"points": 12, "reason": "need 'psychological_counselling' met by specialty '心理咨询'", "kind": "need",
            "facts": {"need": "psychological_counselling", "specialty": "心理咨询"}} in [
        r.as_dict() for r in ranked[1].reasons]


def test_load_sex_and_history_count_and_some_volunteers_are_not_offered() -> None:
    child = kid("c1")
    volunteers = [mother("v-free", capacity=2), mother("v-half", capacity=2, load=1),
                  mother("v-male", sex="male", capacity=2), mother("v-full", capacity=1, load=1),
                  mother("v-untrained", trained=False), mother("v-mismatch"), mother("v-before"),
                  mother("v-proposed", capacity=1, proposed=1)]
    history = {("c1", "v-mismatch"): PastPair("p0", "ended", "mismatch"),
               ("c1", "v-before"): PastPair("p1", "ended", "moved")}
    result = suggest(child, snapshot([child], volunteers, history), top=10)
    scores = {c.volunteer_id: c.score for c in result.candidates}
    assert scores["v-free"] - scores["v-half"] == 5  # half her places taken: half the capacity points
    assert scores["v-free"] - scores["v-male"] == 8
    assert scores["v-before"] == scores["v-free"] + 5  # cared for the child before, without a mismatch
    assert set(scores) == {"v-free", "v-half", "v-male", "v-before"}
    assert result.passed_over == {"at capacity": 2, "reserve pool: required training not completed": 1,
                                  "already paired or proposed with this child, or an earlier pair ended as a mismatch": 1}


def test_a_blocked_child_is_told_why_and_left_out_of_the_batch() -> None:
    children = [kid("c-young", age=9, consent=False), kid("c-paired", cared_in=("p1",)),
                kid("c-gone", exited=True), kid("c-waiting", proposed_in=("p2",)), kid("c-ok")]
    result = batch(snapshot(children, [mother("v1", capacity=5)]))
    assert [p.child_id for p in result.proposals] == ["c-ok"]
    reasons = {u["child_id"]: u["reasons"] for u in result.unmatched}
    assert reasons == {"c-young": ["is 9: under 14, and the guardian's consent to pairing is not on file"]}
    # Children paired already, awaiting approval or gone need no pair: they are not "unmatched".
    aside = {u["child_id"]: u["reasons"] for u in result.set_aside}
    assert aside == {"c-paired": ["already cared for in pair p1"], "c-gone": ["left the programme"],
                     "c-waiting": ["a proposal awaits approval: pair p2"]}
    suggestions = suggest(children[0], snapshot(children, [mother("v1")]))
    assert suggestions.blocked == reasons["c-young"]
    # The child cannot be paired now: no reason says she may be.
    assert all("a child who may be paired" not in r.text for c in suggestions.candidates for r in c.reasons)
    assert "once the child may be paired" in suggestions.candidates[0].reasons[0].text


def test_red_tier_children_come_first_when_places_are_scarce() -> None:
    children = [kid("c-blue", tier="blue"), kid("c-red", tier="red"), kid("c-none")]
    result = batch(snapshot(children, [mother("v1"), mother("v2", region=NEIGHBOUR)]))
    assert [p.child_id for p in result.proposals] == ["c-red", "c-none"]
    [unmatched] = result.unmatched
    assert unmatched["child_id"] == "c-blue"
    assert unmatched["reasons"] == ["2 volunteer(s) could take this child, but their places went to "
                                    "pairs that score more in total"]


def test_a_caring_family_is_proposed_in_family_mode() -> None:
    child = kid("c1")
    [proposal] = batch(snapshot([child], [mother("f1", kind="family")])).proposals
    assert proposal.mode == "family"


def _brute_force(weights: np.ndarray, places: list[int]) -> int:
    best = 0
    options = [[None, *[j for j in range(weights.shape[1]) if weights[i, j] > 0]] for i in range(weights.shape[0])]
    for choice in itertools.product(*options):
        used = [c for c in choice if c is not None]
        if all(used.count(j) <= places[j] for j in set(used)):
            best = max(best, sum(weights[i, j] for i, j in enumerate(choice) if j is not None))
    return best


def _random_district(rng: random.Random, children: int, volunteers: int) -> Snapshot:
    """A small district whose children and volunteers share some past: mismatches, earlier pairs."""
    snap = district_snapshot(children, volunteers, seed=rng.randrange(10**6))
    history = {(c.child_id, v.volunteer_id): PastPair(f"p-{c.child_id}-{v.volunteer_id}", "ended",
                                                      rng.choice(["mismatch", "moved"]))
               for c in snap.children for v in snap.volunteers if rng.random() < 0.2}
    return Snapshot(snap.scope, snap.children, snap.volunteers, history)


def _problem(snap: Snapshot):
    rows = sorted((c for c in snap.children if not c.blocked()), key=lambda c: (TIER_ORDER[c.tier], c.child_id))
    columns = [v for v in snap.volunteers if not v.unavailable()]
    return pair_weights(rows, columns, snap), [v.free for v in columns]


def _check_feasible(snap: Snapshot, result) -> None:
    children = {c.child_id: c for c in snap.children}
    volunteers = {v.volunteer_id: v for v in snap.volunteers}
    per_volunteer = {}
    for p in result.proposals:
        child, volunteer = children[p.child_id], volunteers[p.volunteer_id]
        assert not child.blocked() and (child.age >= 14 or child.consent)
        assert volunteer.trained and not volunteer.withdrawn
        per_volunteer[p.volunteer_id] = per_volunteer.get(p.volunteer_id, 0) + 1
        assert p.score == sum(r.points for r in p.reasons) > 0
        assert excluded(snap.history.get((p.child_id, p.volunteer_id))) is None
    assert all(n <= volunteers[v].free for v, n in per_volunteer.items())
    assert len({p.child_id for p in result.proposals}) == len(result.proposals)
    listed = [p.child_id for p in result.proposals] + [u["child_id"] for u in result.unmatched + result.set_aside]
    assert sorted(listed) == sorted(children)


@pytest.mark.parametrize("seed", range(25))
def test_small_batches_reach_the_brute_force_optimum(seed: int) -> None:
    rng = random.Random(seed)
    snap = _random_district(rng, rng.randint(1, 6), rng.randint(1, 4))
    result = batch(snap)
    weights, places = _problem(snap)
    assert result.total_score == _brute_force(weights, places)
    _check_feasible(snap, result)


def test_a_medium_batch_reaches_the_lp_relaxation_optimum() -> None:
    # Bipartite b-matching is totally unimodular: the LP optimum is the integer optimum.
    snap = district_snapshot(150, 120, seed=3)
    result = batch(snap)
    weights, places = _problem(snap)
    edges = np.argwhere(weights > 0)
    rows, columns = weights.shape
    constraints = lil_matrix((rows + columns, len(edges)))
    for k, (i, j) in enumerate(edges):
        constraints[i, k] = 1
        constraints[rows + j, k] = 1
    lp = linprog(-weights[edges[:, 0], edges[:, 1]], A_ub=constraints.tocsr(),
                 b_ub=[1] * rows + places, bounds=(0, 1), method="highs")
    assert lp.status == 0 and round(-lp.fun) == result.total_score
    _check_feasible(snap, result)


def test_a_district_of_2000_children_and_2500_volunteers_gets_the_optimum_quickly() -> None:
    snap = district_snapshot(2000, 2500, seed=1)
    started = time.perf_counter()
    result = batch(snap)
    seconds = time.perf_counter() - started
    _check_feasible(snap, result)
    # An independent optimum: the sparse LAPJVsp solver on the feasible edges, each child with a
    # private "unmatched" edge, minimising (top - score) so that every pair is worth its score.
    weights, places = _problem(snap)
    slots = weights[:, np.repeat(np.arange(len(places)), places)]
    top = int(slots.max()) + 1
    graph = hstack([csr_matrix(np.where(slots > 0, top - slots, 0)),
                    identity(len(slots), format="csr") * top]).tocsr()
    rows, columns = min_weight_full_bipartite_matching(graph)
    optimum = sum(int(slots[i, j]) for i, j in zip(rows, columns) if j < slots.shape[1])
    assert result.total_score == optimum
    assert len(result.proposals) > 1500 and seconds < 30
    assert all(r.points >= 0 for p in result.proposals for r in p.reasons)
