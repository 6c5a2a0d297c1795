"""Events stored under an older schema version are still read: each is valid against the schema file
of its own version, and the reader sees it as the current model, upcast (contracts/upcasting.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import uuid4

import jsonschema
import pytest
from pydantic import ValidationError

from contracts.envelope import Actor, Envelope, FederationLevel
from contracts.export_schemas import SCHEMA_DIR
from contracts.privacy import LegacyPlaintext, Sealed
from contracts.registry import event_types, typed_event
from contracts.upcasting import UPCASTERS

NATIONAL = Actor(operator_id="op-national", level=FederationLevel.national, region="CN")
RECORDED = datetime(2025, 11, 3, 23, 30, tzinfo=UTC)
SEALED = {"key_id": "c1", "alg": "A256GCM", "nonce": "AA==", "ciphertext": "aXRlbQ=="}
CHILD_V1 = {"child_id": "c1", "region": "440105001101", "sex": "female", "birth_date": "2015-04-05",
            "category": "left_behind", "subtype": None, "personal": SEALED, "guardian_relation": None,
            "guardian": None}
# Version 1 of the events that start, change or end something, without their business day.
BUSINESS_DAY_V1 = {
    "ChildRegistered": CHILD_V1,
    "VolunteerRecruited": {"volunteer_id": "v1", "region": "440105001101", "sex": "female", "kind": "mother",
                           "volunteer_type": "neighbour", "specialties": [], "capacity": 2, "personal": SEALED},
    "VolunteerWithdrew": {"volunteer_id": "v1", "reason": "moved away"},
    "TeamFormed": {"team_id": "t1", "region": "440105000000", "level": "district", "name": "巾帼志愿队"},
    "StationOpened": {"station_id": "s1", "region": "440105001101", "name": "驿站", "opening_days": ["sat", "sun"]},
    "StationClosed": {"station_id": "s1", "reason": "moved"},
    "FundOpened": {"fund_id": "f1", "region": "440105000000", "name": "微心愿基金"},
    "FundAllocated": {"fund_id": "f1", "allocation_id": "a1", "target": "gift_pack", "target_id": "g1",
                      "amount_fen": 10000},
    "FundAllocationReleased": {"fund_id": "f1", "allocation_id": "a1", "amount_fen": 10000},
    "PairEnded": {"pair_id": "p1", "reason": "moved"},
    "PairProposed": {"pair_id": "p1", "mode": "one_to_one", "region": "440105001101", "child_ids": ["c1"],
                     "volunteer_ids": ["v1"], "approval_level": "community"},
    "PairApproved": {"pair_id": "p1", "approved_at_level": "community"},
    "ChildTransferredOut": {"child_id": "c1", "from_region": "440105001101", "to_region": "440105001102"},
    "ChildTransferredIn": {**CHILD_V1, "region": "440105001102", "from_region": "440105001101", "grade": None,
                           "active_pair_ids": []},
    "WishApproved": {"wish_id": "w1"},
    "WishPledged": {"wish_id": "w1", "donor_kind": "enterprise", "donor_id": "d1", "amount_fen": 8000,
                    "fund_id": None, "allocation_id": None},
    "WishCancelled": {"wish_id": "w1", "reason": "duplicate"},
}
BUSINESS_DAY = {"ChildRegistered": "registered_on", "VolunteerRecruited": "recruited_on",
                "VolunteerWithdrew": "withdrawn_on", "TeamFormed": "formed_on", "StationOpened": "opened_on",
                "StationClosed": "closed_on", "FundOpened": "opened_on", "FundAllocated": "allocated_on",
                "FundAllocationReleased": "released_on", "PairEnded": "ended_on", "PairProposed": "proposed_on",
                "PairApproved": "approved_on", "ChildTransferredOut": "transferred_on",
                "ChildTransferredIn": "transferred_on", "DonorRegistered": "registered_on",
                "WishSubmitted": "submitted_on", "WishApproved": "approved_on", "WishPledged": "pledged_on",
                "WishFulfilled": "fulfilled_on", "WishCancelled": "cancelled_on", "ChildRiskAssessed": "assessed_on"}
# As version 1 of each changed event stored them.
V1 = {
    "PairFormed": {"pair_id": "p1", "mode": "one_to_one", "region": "440105001101", "child_ids": ["c1"],
                   "volunteer_ids": ["v1"]},
    "WishSubmitted": {"wish_id": "w1", "child_id": "c1", "region": "440105001101", "item": "书包",
                      "category": "study", "estimated_cost_yuan": 120.0},
    "WishFulfilled": {"wish_id": "w1", "child_id": "c1", "donor": "某爱心企业"},
    "DonorRegistered": {"donor_id": "d1", "region": "440105000000", "name": "某爱心企业"},
    # Version 1 of a membership was stored on the child or the volunteer, in her region then.
    "ChildJoinedPair": {"child_id": "c1", "pair_id": "p1", "mode": "one_to_one"},
    "ChildLeftPair": {"child_id": "c1", "pair_id": "p1", "reason": "moved"},
    "VolunteerJoinedPair": {"volunteer_id": "v1", "pair_id": "p1", "mode": "one_to_one", "children": 1},
    "VolunteerLeftPair": {"volunteer_id": "v1", "pair_id": "p1", "reason": "moved", "children": 1},
    # Version 1 of the care tier was stored on the child's file, in her region then.
    "ChildRiskAssessed": {"child_id": "c1", "tier": "red", "previous_tier": None, "reason": SEALED},
    # Version 1 of care was stored on the pair, the station or the team, with the data of version 2.
    "VisitLogged": {"pair_id": "p1", "visit_id": "x1", "kind": "home_visit", "visited_on": "2025-11-01",
                    "duration_minutes": 60, "child_ids": ["c1"], "note": None},
    **{name: {f"{host}_id": "h1", "activity_id": "a1", "kind": "reading", "held_on": "2025-11-01",
              "duration_minutes": 90, "place": None, "volunteer_ids": ["v1"], "child_ids": ["c1"],
              "guardians_present": 0, "person_times": 12, "note": None, "evidence": []}
       for name, host in (("ActivityLogged", "pair"), ("StationActivityLogged", "station"),
                          ("TeamActivityLogged", "team"))},
    **BUSINESS_DAY_V1,
}
CARE = {"VisitLogged": "pair", "ActivityLogged": "pair", "StationActivityLogged": "station",
        "TeamActivityLogged": "team"}
FORMER_AGGREGATES = {"ChildJoinedPair": "child", "ChildLeftPair": "child", "VolunteerJoinedPair": "volunteer",
                     "VolunteerLeftPair": "volunteer", "ChildRiskAssessed": "child", **CARE}


def stored(event_type: str, data: dict, version: int = 1, region: str = "440105001101") -> Envelope:
    aggregate = event_types()[event_type].aggregate_type
    if version == 1 and event_type in FORMER_AGGREGATES:
        aggregate = FORMER_AGGREGATES[event_type]
    person = event_types()[event_type].keyed_by or aggregate
    return Envelope(event_id=uuid4(), event_type=event_type, schema_version=version, aggregate_type=aggregate,
                    aggregate_id=data[f"{person}_id"], aggregate_version=1, occurred_at=RECORDED,
                    recorded_at=RECORDED, actor=NATIONAL, region=region, correlation_id="c",
                    causation_id="c", data=data)


@pytest.mark.parametrize("event_type", sorted(set(FORMER_AGGREGATES) - set(CARE) - {"ChildRiskAssessed"}))
def test_a_membership_stored_on_the_person_names_the_region_of_its_envelope(event_type: str) -> None:
    event = typed_event(stored(event_type, V1[event_type], region="440105001102"))
    person = FORMER_AGGREGATES[event_type]
    assert (event.region, event.aggregate_type, event.aggregate_id) == (
        "440105001102", f"pairing_{person}", V1[event_type][f"{person}_id"])


@pytest.mark.parametrize("event_type", sorted(CARE))
def test_care_stored_on_the_pair_station_or_team_is_read_as_the_care_of_it(event_type: str) -> None:
    event = typed_event(stored(event_type, V1[event_type]))
    host = CARE[event_type]
    assert (event.aggregate_type, event.aggregate_id) == (f"{host}_care", V1[event_type][f"{host}_id"])
    assert event.model_dump(mode="json") == V1[event_type]


def test_a_tier_stored_on_the_childs_file_is_read_as_her_care_in_the_region_of_its_envelope() -> None:
    event = typed_event(stored("ChildRiskAssessed", V1["ChildRiskAssessed"], region="440105001102"))
    assert (event.aggregate_type, event.aggregate_id, event.region, event.tier) == (
        "child_care", "c1", "440105001102", "red")


def test_every_later_version_has_an_upcaster_from_each_earlier_one() -> None:
    for name, event_type in event_types().items():
        for version in range(1, event_type.schema_version):
            assert (name, version) in UPCASTERS, f"{name} v{version} cannot be read as v{version + 1}"
            assert (SCHEMA_DIR / f"{name}.v{version}.json").exists(), f"{name}.v{version}.json was removed"
    assert set(V1) == {name for name, version in UPCASTERS}


@pytest.mark.parametrize("event_type", sorted(V1))
def test_the_old_samples_are_what_version_1_published(event_type: str) -> None:
    schema = json.loads((SCHEMA_DIR / f"{event_type}.v1.json").read_text("utf-8"))
    jsonschema.validate(V1[event_type], schema)


def test_a_pair_formed_without_a_date_was_formed_the_day_it_was_recorded() -> None:
    event = typed_event(stored("PairFormed", V1["PairFormed"]))
    assert event.formed_on == date(2025, 11, 3)  # occurred_at's day, as every read model counts it
    dated = typed_event(stored("PairFormed", {**V1["PairFormed"], "formed_on": "2025-10-01"}, version=2))
    assert dated.formed_on == date(2025, 10, 1)


def test_old_plaintext_is_read_as_legacy_plaintext_and_new_data_passes_unchanged() -> None:
    wish = typed_event(stored("WishSubmitted", V1["WishSubmitted"]))
    assert wish.item == LegacyPlaintext(plaintext="书包")
    fulfilled = typed_event(stored("WishFulfilled", V1["WishFulfilled"]))
    assert (fulfilled.donor_id, fulfilled.donor) == (None, LegacyPlaintext(plaintext="某爱心企业"))
    assert typed_event(stored("WishFulfilled", {**V1["WishFulfilled"], "donor": None})).donor is None
    current = typed_event(stored("WishSubmitted", {**V1["WishSubmitted"], "item": SEALED}, version=2))
    assert current.item == Sealed.model_validate(SEALED)
    # Current data stored under the old number (a tool that never bumped it) is read the same way.
    assert typed_event(stored("WishSubmitted", {**V1["WishSubmitted"], "item": SEALED})).item == current.item


def test_a_donor_of_version_1_is_an_organisation_named_in_plaintext() -> None:
    donor = typed_event(stored("DonorRegistered", V1["DonorRegistered"]))
    assert (donor.individual, donor.name, donor.personal) == (False, "某爱心企业", None)


def test_the_current_versions_refuse_plaintext_where_they_seal() -> None:
    with pytest.raises(ValidationError):
        typed_event(stored("WishSubmitted", {**V1["WishSubmitted"], "item": "书包"}, version=2))


@pytest.mark.parametrize("event_type", sorted(BUSINESS_DAY))
def test_an_event_stored_without_its_business_day_happened_the_day_it_was_recorded(event_type: str) -> None:
    field = BUSINESS_DAY[event_type]
    event = typed_event(stored(event_type, V1[event_type]))
    assert getattr(event, field) == date(2025, 11, 3)  # occurred_at's day
    current = event_types()[event_type]
    dated = typed_event(stored(event_type, {**event.model_dump(mode="json"), field: "2024-05-06"},
                               version=current.schema_version))
    assert getattr(dated, field) == date(2024, 5, 6)


def test_a_volunteer_recruited_before_staff_was_known_is_not_staff() -> None:
    assert typed_event(stored("VolunteerRecruited", V1["VolunteerRecruited"])).staff is False
