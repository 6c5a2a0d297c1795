"""The programme the matching service tests build: every pairing mode proposed (or formed) and
approved, some ended, children rematched; and its figures, worked out by hand per leaf region."""

from __future__ import annotations

import json
from typing import Any

from contracts.envelope import Actor, FederationLevel
from contracts.regions import Region
from services.activity.app import ROUTES as ACTIVITY
from services.intake.app import ROUTES as INTAKE
from services.pairing.app import ROUTES as PAIRING
from services.projections.pair_modes import MODE_FIGURES
from services.shared.endpoints import execute
from tests.conftest import NATIONAL

ROUTES = {**INTAKE, **PAIRING, **ACTIVITY}
STREET = Actor(operator_id="op-nhx", level=FederationLevel.street, region="440105001")  # 赤岗街道
# Separation of duties: a proposal is approved by another operator than the one who proposed it.
STREET_APPROVER = Actor(operator_id="op-nhx-2", level=FederationLevel.street, region="440105001")
COMMUNITY = Actor(operator_id="op-c1", level=FederationLevel.community, region="440105001101")
SIX_LEVELS = ("CN", "44", "4401", "440105", "440105001", "440105001101")
C1, C2, STREET2, CONGHUA = "440105001101", "440105001102", "440105002101", "440117001001"
CHILDREN = {"a1": C1, "a2": C1, "a3": C1, "b1": C2, "b2": C2, "s1": STREET2, "z1": CONGHUA}
VOLUNTEERS = {  # id: (region, kind, capacity, specialties)
    "m1": (C1, "mother", 3, ["tutoring"]), "m2": (C1, "mother", 1, []), "m3": (C2, "mother", 1, []),
    "m6": (C2, "father", 1, []), "m7": (C1, "mother", 2, ["心理咨询"]), "f1": (C2, "family", 1, ["陪伴"]),
    "m4": (STREET2, "mother", 1, []), "m5": (CONGHUA, "mother", 1, []),
}


def setup_steps() -> list[tuple[Actor, str, dict]]:
    steps = []
    for child_id, region in CHILDREN.items():
        steps += [(NATIONAL, "register_child", {"child_id": child_id, "region": region, "name": "小" + child_id,
                                                "sex": "female", "birth_date": "2016-03-08", "category": "left_behind"}),
                  (NATIONAL, "record_consent", {"child_id": child_id, "relation": "grandparent", "given_by": "李大山",
                                                "scopes": ["pairing"], "given_on": "2026-05-01"})]
    steps.append((NATIONAL, "survey_needs", {"child_id": "a3", "needs": ["psychological_counselling"],
                                             "surveyed_on": "2026-05-01"}))
    steps.append((NATIONAL, "assess_risk", {"child_id": "a3", "tier": "red", "reason": "signs of depression"}))
    for volunteer_id, (region, kind, capacity, specialties) in VOLUNTEERS.items():
        steps.append((NATIONAL, "recruit_volunteer", {
            "volunteer_id": volunteer_id, "region": region, "name": "王芳", "sex": "female", "kind": kind,
            "capacity": capacity, "specialties": specialties, "team_id": "t1" if volunteer_id == "m1" else None}))
    steps += [(NATIONAL, "recruit_volunteer", {"volunteer_id": v, "region": C1, "name": "赵敏", "sex": "female",
                                               "kind": "mother"}) for v in ("u1", "w1")]
    steps += [(NATIONAL, "record_training", {"topic": "minors_protection_law", "held_on": "2026-05-02",
                                             "volunteer_ids": [*VOLUNTEERS, "w1"]}),
              (NATIONAL, "withdraw_volunteer", {"volunteer_id": "w1", "reason": "moved away"}),
              (NATIONAL, "form_team", {"team_id": "t1", "region": "440105001", "name": "南华西爱心妈妈服务队"}),
              (NATIONAL, "open_station", {"station_id": "st1", "region": "440105001", "name": "南华西驿站",
                                          "opening_days": ["sat", "sun"]})]
    return steps


def _propose(pair_id, mode, children, volunteers, **venue) -> tuple[Actor, str, dict]:
    return COMMUNITY if all(CHILDREN[c] == C1 for c in children) and mode != "collective" else STREET, \
        "propose_pair", {"pair_id": pair_id, "mode": mode, "child_ids": children, "volunteer_ids": volunteers, **venue}


def _approve(pair_id: str, actor: Actor = STREET_APPROVER) -> tuple[Actor, str, dict]:
    return actor, "approve_pair", {"pair_id": pair_id}


def _end(pair_id: str, reason: str) -> tuple[Actor, str, dict]:
    return NATIONAL, "end_pair", {"pair_id": pair_id, "reason": reason}


LIFECYCLE = [
    _propose("P1", "one_to_one", ["a1"], ["m2"]), _approve("P1"),
    _propose("P2", "one_to_many", ["a2", "a3"], ["m1"]), _approve("P2"), _end("P2", "mismatch"),
    _propose("P3", "many_to_one", ["b1"], ["m3", "m6"]), _approve("P3"),
    _propose("P4", "collective", ["a1", "b1", "b2"], ["m1"], team_id="t1", station_id="st1"), _approve("P4"),
    _propose("P5", "family", ["b2"], ["f1"]), _approve("P5"), _end("P5", "moved"),
    (NATIONAL, "form_pair", {"pair_id": "P6", "mode": "one_to_one", "child_ids": ["s1"], "volunteer_ids": ["m4"]}),
    (NATIONAL, "propose_pair", {"pair_id": "P7", "child_ids": ["z1"], "volunteer_ids": ["m5"]}),
    (NATIONAL, "reject_pair", {"pair_id": "P7", "reason": "mismatch"}),
    (NATIONAL, "propose_pair", {"pair_id": "P8", "child_ids": ["z1"], "volunteer_ids": ["m5"]}),
    (NATIONAL, "withdraw_proposal", {"pair_id": "P8", "reason": "better_match"}),
    (NATIONAL, "form_pair", {"pair_id": "P9", "child_ids": ["z1"], "volunteer_ids": ["m5"]}), _end("P9", "aged_out"),
]
REMATCH = [_propose("P10", "family", ["b2"], ["f1"]), _approve("P10", NATIONAL)]  # b2's family again

# Per owning leaf region and mode; absent figures are 0. Pairs count where their first child lives.
EXPECTED_MODES: dict[str, dict[str, dict[str, int]]] = {
    C1: {"one_to_one": dict(proposed=1, approved=1, pairs_formed=1, active_pairs=1, children_paired=1),
         "one_to_many": dict(proposed=1, approved=1, pairs_formed=1, pairs_ended=1),
         "collective": dict(proposed=1, approved=1, pairs_formed=1, active_pairs=1, children_paired=1)},
    C2: {"many_to_one": dict(proposed=1, approved=1, pairs_formed=1, active_pairs=1, children_paired=1),
         "collective": dict(children_paired=2),
         "family": dict(proposed=2, approved=2, pairs_formed=2, pairs_ended=1, active_pairs=1, children_paired=1)},
    STREET2: {"one_to_one": dict(pairs_formed=1, active_pairs=1, children_paired=1)},
    CONGHUA: {"one_to_one": dict(proposed=2, rejected=1, withdrawn=1, pairs_formed=1, pairs_ended=1)},
}
# The figure ledger's of the same programme: (pairs_formed, pairs_ended, active_pairs, children_paired)
EXPECTED_STATS = {C1: (3, 1, 2, 1), C2: (3, 1, 2, 2), STREET2: (1, 0, 1, 1), CONGHUA: (1, 1, 0, 0)}


def expected_modes(region: Region) -> dict[str, dict[str, int]]:
    modes = ("one_to_one", "one_to_many", "many_to_one", "collective", "family")
    leaves = [m for code, m in EXPECTED_MODES.items() if code.startswith(region.prefix)]
    return {mode: {f: sum(leaf.get(mode, {}).get(f, 0) for leaf in leaves) for f in MODE_FIGURES} for mode in modes}


def expected_stats(region: Region) -> tuple[int, ...]:
    leaves = [s for code, s in EXPECTED_STATS.items() if code.startswith(region.prefix)]
    return tuple(sum(s[k] for s in leaves) for k in range(4))


async def send(deps, steps: list[tuple[Actor, str, dict]]) -> list[dict[str, Any]]:
    results = []
    for actor, command, fields in steps:
        model, handler = ROUTES[command]
        body = json.dumps({"actor": actor.model_dump(mode="json"), **fields}).encode()
        reply = await execute(deps, model, handler, body)
        if not reply.ok:
            raise RuntimeError(f"{command} {fields} refused: {reply.error}")
        results.append(reply.result)
    return results
