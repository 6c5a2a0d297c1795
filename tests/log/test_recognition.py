"""最美爱心妈妈 on a real nats-server: a volunteer's year (two pairs from February, calls in three
months, a wish fulfilled) and her record read from the read side; her nomination by her district
with that record attached, refused a second time (from her town, or by two offices at once), from
a district she is not in, awarded by the city and not by the district; the `recognitions` read
model lists it and counts it per year and level, and her file finds it."""

from __future__ import annotations

import asyncio
import json
from datetime import date

from contracts.envelope import Actor, FederationLevel
from contracts.regions import parse_region
from services.projections.file_records import records_of
from services.projections.recognitions.model import awarded_counts, nominations_in
from services.projections.recognitions.record import volunteer_record
from services.reporting.app import ROUTES as REPORTING
from services.shared.endpoints import execute
from tests.log.projection_cases import catch_up, running, send
from tests.log.test_projections import projector, read_db  # noqa: F401  (both backends)

TODAY = date(2026, 6, 1)  # the deps' clock
HAIZHU = Actor(operator_id="haizhu", level=FederationLevel.district, region="440105", role="caseworker")
SUSHE = Actor(operator_id="sushe", level=FederationLevel.street, region="440105001", role="caseworker")
GUANGZHOU = Actor(operator_id="guangzhou", level=FederationLevel.city, region="4401", role="approver")
HOME, CONGHUA = "440105001101", "440117001001"


def _volunteer(volunteer_id: str, region: str = HOME) -> list[tuple[str, dict]]:
    return [("recruit_volunteer", {"volunteer_id": volunteer_id, "region": region, "name": "王芳", "sex": "female",
                                   "kind": "mother", "capacity": 3, "recruited_on": "2026-01-05"}),
            ("record_training", {"topic": "minors_protection_law", "held_on": "2026-01-20",
                                 "volunteer_ids": [volunteer_id]})]


def _child(child_id: str) -> list[tuple[str, dict]]:
    return [("register_child", {"child_id": child_id, "region": HOME, "name": "李小花", "sex": "female",
                                "birth_date": "2016-09-08", "category": "left_behind", "registered_on": "2026-01-10"}),
            ("record_consent", {"child_id": child_id, "relation": "grandparent", "given_by": "李大山",
                                "scopes": ["pairing"], "given_on": "2026-01-15"})]


# v-a cares for c-1 (calls in February, March and April, none in May) and c-2 (no call at all).
YEAR = [*_volunteer("v-a"), *_volunteer("v-b"), *_volunteer("v-c", CONGHUA), *_child("c-1"), *_child("c-2"),
        *(("form_pair", {"pair_id": p, "child_ids": [c], "volunteer_ids": ["v-a"], "formed_on": "2026-02-01"})
          for p, c in (("p-1", "c-1"), ("p-2", "c-2"))),
        *(("log_visit", {"pair_id": "p-1", "kind": "phone_call", "visited_on": f"2026-{m:02d}-10",
                         "duration_minutes": 30}) for m in (2, 3, 4)),
        ("submit_wish", {"wish_id": "w-1", "child_id": "c-1", "item": "书包", "estimated_cost_yuan": 120}),
        ("fulfil_wish", {"wish_id": "w-1"})]


async def command(deps, actor: Actor, name: str, **fields):
    model, handler = REPORTING[name]
    return await execute(deps, model, handler, json.dumps({"actor": actor.model_dump(mode="json"), **fields}).encode())


async def test_a_district_nominates_with_her_record_and_the_city_awards(deps, event_log, projector, read_db) -> None:  # noqa: F811
    async with running(projector):
        await send(deps, YEAR)
        await catch_up(projector, event_log)
        async with read_db.connect() as conn:
            record = await volunteer_record(conn, "v-a", 2026, TODAY)
            assert (await volunteer_record(conn, "v-a", 2025, TODAY))["pairs"] == 0
        # February to May are over by June 1st, two pairs each: p-1 missed only May's call, p-2 every one.
        assert record == {"as_of": "2026-06-01", "service_minutes": 90, "activities": 3, "pairs": 2, "children": 2,
                          "five_ones_judged": 8, "five_ones_met": 3, "wishes_fulfilled": 1}

        nominated = await command(deps, HAIZHU, "nominate_volunteer", volunteer_id="v-a", year=2026, record=record)
        assert nominated.ok, nominated.error
        assert nominated.result["nomination_id"] == "2026-v-a"
        again = await command(deps, SUSHE, "nominate_volunteer", volunteer_id="v-a", year=2026, record=record)
        assert not again.ok and "already nominated for 2026 by office 440105000000" in again.error.message
        elsewhere = await command(deps, HAIZHU, "nominate_volunteer", volunteer_id="v-c", year=2026, record=record)
        assert elsewhere.error.code == "forbidden", elsewhere.error
        by_district = await command(deps, HAIZHU, "award_volunteer", nomination_id="2026-v-a")
        assert by_district.error.code == "forbidden" and "city or province" in by_district.error.message

        awarded = await command(deps, GUANGZHOU, "award_volunteer", nomination_id="2026-v-a")
        assert awarded.ok, awarded.error
        await catch_up(projector, event_log)

    async with read_db.connect() as conn:
        [row] = await nominations_in(conn, parse_region("4401"), 2026)
        assert (row["volunteer_id"], row["status"], row["level"], row["decided_by"], row["record"]) == (
            "v-a", "awarded", "city", "440100000000", record)
        assert await nominations_in(conn, parse_region("51"), 2026) == []
        assert await awarded_counts(conn, parse_region("44")) == [
            {"year": 2026, "level": "city", "nominated": 1, "awarded": 1, "declined": 0}]
        assert ("nomination", "2026-v-a") in [(r["kind"], r["record_id"]) for r in await records_of(conn, "v-a")]


async def test_two_offices_nominating_her_at_once_make_one_nomination(deps, event_log) -> None:
    await send(deps, _volunteer("v-b"))
    record = {"as_of": "2026-06-01", "service_minutes": 0, "activities": 0, "pairs": 0, "children": 0,
              "five_ones_judged": 0, "five_ones_met": 0, "wishes_fulfilled": 0}
    replies = await asyncio.gather(*(command(deps, actor, "nominate_volunteer", volunteer_id="v-b", year=2026,
                                             record=record) for actor in (HAIZHU, SUSHE)))
    assert sorted(reply.ok for reply in replies) == [False, True]
    refused = next(reply for reply in replies if not reply.ok)
    assert refused.error.code in ("conflict", "rule_violated"), refused.error
    history = await event_log.load("nomination", "2026-v-b")
    assert [stored.envelope.event_type for stored in history.events] == ["VolunteerNominated"]
