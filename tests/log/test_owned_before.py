"""A log written before each context owned its aggregates: a pair's members joined it on the child's
and the volunteer's own subjects (v1 of ChildJoinedPair and VolunteerJoinedPair), and its care was
logged on the pair (v1 of VisitLogged), a child's care tier set on her file (v1 of ChildRiskAssessed).
On a real nats-server, the new code reads those events where they stand: the child and the volunteer
are still in the pair, and its care counts, until the pair ends on pairing's own aggregates; the
tier she was given is the one a later assessment or concern starts from."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from contracts.envelope import Envelope
from contracts.regions import parse_region
from contracts.subjects import STREAM, event_subject
from services.pairing.members import child_pairs, volunteer_pairs
from tests.conftest import NATIONAL
from tests.log.test_commands import COMMUNITY, error_of, ok, pairable_child, send, trained_volunteers

AT = datetime(2026, 5, 10, 10, 0, tzinfo=UTC)


async def publish_as_before(nc, event_log, event_type: str, aggregate_type: str, aggregate_id: str, data: dict,
                            version: int = 1) -> None:
    """Append as the earlier code did: on the subject of `aggregate_type`, in its region."""
    history = await event_log.load(aggregate_type, aggregate_id)
    region = history.events[-1].envelope.region if history.exists else COMMUNITY
    envelope = Envelope(event_id=uuid4(),
                        event_type=event_type, schema_version=version, aggregate_type=aggregate_type,
                        aggregate_id=aggregate_id, aggregate_version=history.version + 1, occurred_at=AT,
                        recorded_at=AT, actor=NATIONAL, region=region, correlation_id="before",
                        causation_id="before", data=data)
    await nc.jetstream().publish(event_subject(parse_region(region), aggregate_type, aggregate_id),
                                 envelope.model_dump_json().encode(), stream=STREAM)


async def test_pairs_and_care_stored_before_are_read_where_they_stand(deps, event_log, nc) -> None:
    child_id = await pairable_child(deps)
    [volunteer_id] = await trained_volunteers(deps)
    pair = {"pair_id": "p-old", "mode": "one_to_one", "region": COMMUNITY, "child_ids": [child_id],
            "volunteer_ids": [volunteer_id], "formed_on": "2026-05-10"}
    await publish_as_before(nc, event_log, "PairFormed", "pair", "p-old", pair, version=2)
    await publish_as_before(nc, event_log, "ChildJoinedPair", "child", child_id,
                            {"child_id": child_id, "pair_id": "p-old", "mode": "one_to_one"})
    await publish_as_before(nc, event_log, "VolunteerJoinedPair", "volunteer", volunteer_id,
                            {"volunteer_id": volunteer_id, "pair_id": "p-old", "mode": "one_to_one", "children": 1})
    await publish_as_before(nc, event_log, "VisitLogged", "pair", "p-old",
                            {"pair_id": "p-old", "visit_id": "x-old", "kind": "home_visit",
                             "visited_on": "2026-05-11", "duration_minutes": 30, "child_ids": [child_id],
                             "note": None})

    # Still in the pair, as the earlier code stored it: neither leaves, nor is paired one-to-one again.
    exit_child = {"child_id": child_id, "reason": "parents_returned", "exited_on": "2026-05-20"}
    assert error_of(await send(deps, "exit_child", **exit_child))[0] == "rule_violated"
    withdrawal = {"volunteer_id": volunteer_id, "reason": "moved away"}
    assert error_of(await send(deps, "withdraw_volunteer", **withdrawal))[0] == "rule_violated"
    again = await send(deps, "form_pair", child_ids=[child_id], volunteer_ids=[volunteer_id])
    assert error_of(again)[0] == "rule_violated" and "already has an active one-to-one pair" in again.error.message

    # Care goes on, now on the pair's care; the pair ends on pairing's own aggregates of the members.
    await ok(deps, "log_visit", pair_id="p-old", kind="phone_call", visited_on="2026-05-12", duration_minutes=10)
    await ok(deps, "end_pair", pair_id="p-old", reason="moved", ended_on="2026-05-15")
    [left] = (await event_log.load("pairing_child", child_id)).events
    assert (left.envelope.event_type, left.envelope.region, left.event.region) == ("ChildLeftPair", COMMUNITY,
                                                                                     COMMUNITY)
    both = [e.event for e in (await event_log.load("child", child_id)).events]
    assert child_pairs(both + [left.event]).active_pairs == {}
    volunteer = [e.event for kind in ("volunteer", "pairing_volunteer")
                 for e in (await event_log.load(kind, volunteer_id)).events]
    assert volunteer_pairs(volunteer).children_in_care == 0
    assert [e.envelope.event_type for e in (await event_log.load("pair_care", "p-old")).events] == ["VisitLogged"]

    # Ended: she may leave, the volunteer withdraw, and no care is logged for the pair any more.
    await ok(deps, "exit_child", **exit_child)
    await ok(deps, "withdraw_volunteer", **withdrawal)
    late = await send(deps, "log_visit", pair_id="p-old", kind="phone_call", visited_on="2026-05-21",
                      duration_minutes=10)
    assert error_of(late)[0] == "rule_violated"


async def test_a_tier_stored_on_the_childs_file_before_is_the_one_her_care_goes_on_from(deps, event_log, nc) -> None:
    child_id = await pairable_child(deps)
    sealed = {"key_id": child_id, "alg": "A256GCM", "nonce": "AA==", "ciphertext": "aXRlbQ=="}
    await publish_as_before(nc, event_log, "ChildRiskAssessed", "child", child_id,
                            {"child_id": child_id, "tier": "red", "previous_tier": None, "reason": sealed})

    # A concern setting the tier she already has adds no assessment; one lowering it starts from red.
    raised = await ok(deps, "raise_concern", child_id=child_id, kind="safety", raised_on="2026-05-11",
                      note="晚上独自在家", tier="red")
    assert [e["event_type"] for e in raised["events"]] == ["ConcernRaised"]
    await ok(deps, "assess_risk", child_id=child_id, tier="yellow", reason="好转")
    [lowered] = (await event_log.load("child_care", child_id)).events
    assert (lowered.subject, lowered.event.previous_tier, lowered.event.tier) == (
        event_subject(parse_region(COMMUNITY), "child_care", child_id), "red", "yellow")
