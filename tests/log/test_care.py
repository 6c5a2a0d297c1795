"""Care activities on a real nats-server, and the cadence compliance read model on SQLite and
PostgreSQL: the answer for a month agrees with the activities in the log."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from typer.testing import CliRunner

from contracts.envelope import Actor, FederationLevel
from contracts.regions import parse_region
from services.activity.care.cadence import HAIMEN, HEILONGJIANG, NINGXIA
from services.api.app import create_api
from services.cli import compliance as care_cli
from services.projections import all_projections
from services.projections.pair_compliance.cache import ComplianceCache
from services.projections.pair_compliance.changes import changes
from services.projections.pair_compliance.figures import compliance_figures
from services.projections.pair_compliance.model import PairCompliance, child_pairs
from services.projections.pair_compliance.report import pair_compliance
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps
from tests.log.care_cases import (
    REGION,
    FakeClock,
    child,
    haimen_from_answer,
    haimen_from_log,
    log_events,
    ok,
    volunteer,
)
from tests.e2e.test_http_api import signed_in_client
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import error_of, send
from tests.log.test_projections import read_db  # noqa: F401  (the SQLite and PostgreSQL fixture)

KINDS = ["phone_call", "home_visit", "reading", "holiday_activity", "birthday", "study_trip",
         "station_activity", "counselling", "other"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(date(2026, 1, 5))


@pytest.fixture
def care_deps(event_log, keys, clock) -> Deps:
    return Deps(log=event_log, keys=keys, clock=clock)


async def a_pair(deps, pair_id: str = "p1", **fields) -> None:
    since = fields.get("formed_on")  # a pair formed on a day before: its members on file from then
    await child(deps, "c1", date(2016, 5, 20), on=since)
    await volunteer(deps, "v1", on=since)
    await ok(deps, "form_pair", pair_id=pair_id, child_ids=["c1"], volunteer_ids=["v1"], **fields)


async def test_activities_are_logged_on_their_pair_station_or_team(care_deps, event_log, keys, clock, nats_server) -> None:
    await a_pair(care_deps)
    await ok(care_deps, "open_station", opened_on="2025-09-01", station_id="s1", region=REGION, name="驿站",
             opening_days=["sat", "sun"])
    await ok(care_deps, "form_team", formed_on="2025-09-01", team_id="t1", region="440105",
             name="海珠区爱心妈妈服务队")
    clock.set(date(2026, 5, 31))
    activity = dict(pair_id="p1", kind="reading", held_on="2026-05-30", duration_minutes=60, place="home",
                    guardians_present=1, note="一起读完了《小王子》", evidence=["photo-1"])
    first = await ok(care_deps, "log_activity", command_id="cmd-a", **activity)
    assert (await ok(care_deps, "log_activity", command_id="cmd-a", **activity))["duplicate"] is True

    [formed] = (await event_log.load("pair", "p1")).events  # the pair is pairing's, its care activity's
    [logged] = (await event_log.load("pair_care", "p1")).events
    assert logged.envelope.event_type == "ActivityLogged"
    assert logged.subject == formed.subject.replace(".pair.p1", ".pair_care.p1")  # in the pair's region
    event = logged.event
    assert (event.activity_id, event.person_times, event.evidence) == (first["activity_id"], 3, ("photo-1",))
    assert (event.note.key_id, (await keys.unseal(event.note))["note"]) == ("c1", "一起读完了《小王子》")
    on_disk = b"".join(p.read_bytes() for p in nats_server.store_dir.rglob("*") if p.is_file())
    assert "小王子".encode() not in on_disk

    collective = dict(kind="holiday_activity", held_on="2026-05-30", duration_minutes=120,
                      child_ids=["c1"], volunteer_ids=["v1"], attendance=60, note="六一游园")
    await ok(care_deps, "log_collective_activity", station_id="s1", **collective)
    await ok(care_deps, "log_collective_activity", team_id="t1", **collective)
    [station_event] = [e.envelope for e in (await event_log.load("station_care", "s1")).events]
    assert (station_event.event_type, station_event.data["person_times"]) == ("StationActivityLogged", 60)
    [team_event] = [e.envelope.event_type for e in (await event_log.load("team_care", "t1")).events]
    assert team_event == "TeamActivityLogged"

    await ok(care_deps, "close_station", station_id="s1", reason="搬迁")
    closed = await send(care_deps, "log_collective_activity", station_id="s1", **collective)
    assert error_of(closed)[0] == "rule_violated"
    sichuan = Actor(operator_id="op-sc", level=FederationLevel.province, region="51")
    assert error_of(await send(care_deps, "log_activity", actor=sichuan, **activity))[0] == "forbidden"
    stranger = await send(care_deps, "log_activity", **{**activity, "child_ids": ["c9"]})
    assert error_of(stranger) == ("invalid", [["child_ids", 0]])


async def federation(deps, clock: FakeClock) -> None:
    """Seven children in five pairs (one 1:N, one ended in April, one formed late in May), a
    hundred-odd activities of every kind from January to June, collective ones, wishes."""
    births = {"c1": date(2016, 5, 20), "c2": date(2015, 5, 29), "c3": date(2016, 2, 29),
              "c4": date(2017, 9, 10), "c5": date(2014, 1, 3), "c6": date(2016, 11, 30), "c7": date(2016, 4, 1)}
    for child_id, born in births.items():  # on file from New Year's Day, entered on the 5th
        await child(deps, child_id, born, on="2026-01-01")
    for volunteer_id, capacity in (("v1", 1), ("v2", 2), ("v3", 1), ("v4", 1), ("v5", 1)):
        await volunteer(deps, volunteer_id, capacity, on="2026-01-01")
    # Formed on New Year's Day, recorded on the 5th (records kept late): care is logged from the 1st.
    early = {"formed_on": "2026-01-01"}
    await ok(deps, "form_pair", pair_id="p1", child_ids=["c1"], volunteer_ids=["v1"], **early)
    await ok(deps, "form_pair", pair_id="p2", mode="one_to_many", child_ids=["c2", "c3"], volunteer_ids=["v2"],
             **early)
    await ok(deps, "form_pair", pair_id="p3", child_ids=["c4"], volunteer_ids=["v3"], **early)
    await ok(deps, "form_pair", pair_id="p4", child_ids=["c5"], volunteer_ids=["v4"], **early)
    await ok(deps, "form_pair", pair_id="p7", child_ids=["c7"], volunteer_ids=["v5"])
    clock.set(date(2026, 3, 10))
    await ok(deps, "submit_wish", wish_id="w1", child_id="c2", item="书包", estimated_cost_yuan=80)
    await ok(deps, "fulfil_wish", wish_id="w1")
    clock.set(date(2026, 4, 10))
    await ok(deps, "end_pair", pair_id="p7", reason="moved")
    clock.set(date(2026, 5, 20))
    await ok(deps, "form_pair", pair_id="p6", child_ids=["c6"], volunteer_ids=["v5"])
    clock.set(date(2026, 6, 15))
    await ok(deps, "submit_wish", wish_id="w2", child_id="c4", item="篮球", estimated_cost_yuan=120)
    await ok(deps, "fulfil_wish", wish_id="w2")  # in June: not counted for May
    rng = random.Random(7)
    members = {"p1": ["c1"], "p2": ["c2", "c3"], "p3": ["c4"], "p4": ["c5"]}
    for n in range(120):
        pair_id = rng.choice(sorted(members))
        held_on = date(2026, 1, 1).toordinal() + rng.randrange(161)  # to 10 June
        fields = dict(pair_id=pair_id, kind=rng.choice(KINDS), duration_minutes=30)
        if rng.random() < 0.3 and fields["kind"] != "other":
            await ok(deps, "log_visit", visited_on=date.fromordinal(held_on), **fields)
            continue
        present = rng.sample(members[pair_id], rng.randint(0, len(members[pair_id])))
        await ok(deps, "log_activity", held_on=date.fromordinal(held_on), child_ids=present,
                 guardians_present=1 if not present else rng.randint(0, 1), **fields)
    await ok(deps, "log_activity", pair_id="p1", kind="birthday", held_on="2026-05-22", duration_minutes=90)
    await ok(deps, "open_station", opened_on="2025-09-01", station_id="s1", region=REGION, name="驿站",
             opening_days=["sat", "sun"])
    # p1's child and volunteer meet at the station: it counts for p1; c4 without v3 counts for nobody.
    await ok(deps, "log_collective_activity", station_id="s1", kind="holiday_activity", held_on="2026-05-02",
             duration_minutes=120, child_ids=["c1", "c4"], volunteer_ids=["v1"], attendance=50)


async def test_compliance_for_a_month_agrees_with_the_activities_logged(care_deps, event_log, read_db, clock) -> None:  # noqa: F811
    await federation(care_deps, clock)
    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    async with read_db.connect() as conn:
        answer = await pair_compliance(conn, parse_region("440105"), "2026-05", HAIMEN)
        heilongjiang = await pair_compliance(conn, parse_region("CN"), "2026-05", HEILONGJIANG)
        ningxia = await pair_compliance(conn, parse_region("44"), "2026-05", NINGXIA, limit=2, offset=1)

    expected = haimen_from_log(await log_events(event_log), date(2026, 5, 1), date(2026, 5, 31))
    assert sorted(expected) == ["p1", "p2", "p3", "p4", "p6"]  # p7 ended in April
    assert haimen_from_answer(answer) == expected
    assert answer["total"] == 5 and answer["summary"]["pairs"] == 5
    assert answer["summary"]["compliant"] == sum(
        all(status != "missed" for status, _ in rules.values()) for rules in expected.values())
    late = next(p for p in answer["pairs"] if p["pair_id"] == "p6")
    assert late["rules"][0]["status"] == "not_due"  # paired on 20 May: no call was due yet
    p1_holidays = next(r for r in answer["pairs"][0]["rules"] if r["rule"] == "holiday_activity")
    assert p1_holidays["count"] >= 1  # the station's holiday activity, at least

    assert [p["pair_id"] for p in heilongjiang["pairs"]] == ["p1", "p2", "p3", "p4", "p6"]
    weeks = [r for r in heilongjiang["pairs"][0]["rules"] if r["rule"] == "weekly_contact"][0]["windows"]
    assert [w["start"] for w in weeks] == ["2026-05-04", "2026-05-11", "2026-05-18", "2026-05-25"]
    assert [p["pair_id"] for p in ningxia["pairs"]] == ["p2", "p3"] and ningxia["total"] == 5


async def test_kept_compliance_figures_are_worked_out_again_only_where_a_pairs_facts_changed(
        care_deps, event_log, read_db, clock) -> None:  # noqa: F811
    await federation(care_deps, clock)
    other = "440105002101"  # a village of another street of the district
    await child(care_deps, "c30", date(2016, 7, 1), region=other)
    await volunteer(care_deps, "v30", region=other)
    await ok(care_deps, "form_pair", pair_id="p30", child_ids=["c30"], volunteer_ids=["v30"])
    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    cache, day = ComplianceCache(), date(2026, 5, 31)

    async def agree(code: str, length: int | None) -> None:
        async with read_db.connect() as conn:
            region = parse_region(code)
            kept = await cache.figures(conn, region, "2026-05", HAIMEN, day, length)
            assert kept == await compliance_figures(conn, region, "2026-05", HAIMEN, day, length)

    async def marks() -> dict[str, int]:
        async with read_db.connect() as conn:
            return {prefix: seq for _, prefix, seq in await conn.execute(changes.select())}

    async with running(projector):
        await catch_up(projector, event_log)
        assert set(await marks()) == {"", "44", "4401", "440105", "440105001", REGION, "440105002", other}
        await agree("440105", 9)
        assert list(cache.worked_out) == [REGION, other]  # each village's pairs, once
        await agree("440105", 9)
        await agree("CN", 2)  # the district's tally, kept, sums up to the nation's
        await agree("440105002", 12)
        await agree("11", 4)  # no pair was ever formed there: nothing to read
        assert list(cache.worked_out) == [REGION, other]

        # p3 had no call in May; one logged late with a date in May: only its village is read again.
        await ok(care_deps, "log_activity", pair_id="p3", kind="phone_call", held_on="2026-05-15",
                 child_ids=["c4"], duration_minutes=10)
        await catch_up(projector, event_log)
        logged = await event_log.last_sequence()
        assert {p for p, seq in (await marks()).items() if seq == logged} == {"", "44", "4401", "440105", "440105001",
                                                                             REGION}
        await agree("CN", 2)
        await agree("440105", 9)
        assert list(cache.worked_out) == [REGION, other, REGION]

        # A wish is the child's, not the pair's: the regions of its pairs are marked, ended ones too.
        await ok(care_deps, "submit_wish", wish_id="w3", child_id="c7", item="字典", estimated_cost_yuan=30)
        await ok(care_deps, "fulfil_wish", wish_id="w3")
        await catch_up(projector, event_log)
        assert (await marks())[REGION] == await event_log.last_sequence()
        await agree("440105001", 12)
        assert list(cache.worked_out) == [REGION, other, REGION, REGION]
        await agree("440105002101", None)
        assert cache.worked_out[-1] == REGION

    # A read model of an older version, without the changes and the children's pairs, gets them.
    async with read_db.begin() as conn:
        before = await marks()
        await conn.execute(changes.delete())
        await conn.execute(child_pairs.delete())
        await PairCompliance().upgrade(conn)
        assert set(await marks()) == set(before)
        assert ("c7", "p7") in set((await conn.execute(child_pairs.select())).all())


async def test_compliance_over_http_and_the_cli(care_deps, event_log, read_db, clock, nc, monkeypatch,  # noqa: F811
                                                tmp_path) -> None:
    await a_pair(care_deps)
    clock.set(date(2026, 6, 1))
    await ok(care_deps, "log_activity", pair_id="p1", kind="phone_call", held_on="2026-05-06", duration_minutes=20)
    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    api = create_api(nc, event_log, read_db, care_deps.keys)
    async with signed_in_client(api, event_log, tmp_path) as http:
        response = await http.get("/pairs/compliance", params={"region": "44", "month": "2026-05"})
        assert response.status_code == 200, response.text
        assert (await http.get("/pairs/compliance", params={"region": "44", "month": "2026-13"})).status_code == 422
        bad_profile = await http.get("/pairs/compliance", params={"region": "44", "month": "2026-05", "profile": "x"})
        assert bad_profile.status_code == 422 and "known: haimen" in bad_profile.json()["message"]
        assert (await http.get("/pairs/compliance", params={"region": "4x", "month": "2026-05"})).status_code == 422
    result = response.json()
    assert result["profile"] == "haimen"
    [pair] = result["pairs"]
    assert (pair["pair_id"], pair["rules"][0]["status"], pair["rules"][0]["count"]) == ("p1", "met", 1)

    # The CLI's HTTP call (signed in as the session's account) answers what the API answered above.
    monkeypatch.setattr(care_cli, "get_json", lambda data_dir, path, **params: result)
    shown = CliRunner().invoke(care_cli_app(), ["44", "--month", "2026-05"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "p1" in shown.output and "monthly_call" in shown.output and "0 of 1 pairs" in shown.output  # the birthday was missed
    as_json = CliRunner().invoke(care_cli_app(), ["44", "--month", "2026-05", "--json"])
    assert json.loads(as_json.output)["pairs"][0]["pair_id"] == "p1"
    bad_month = CliRunner().invoke(care_cli_app(), ["44", "--month", "2026-5"])
    assert bad_month.exit_code == 2 and "not a month like 2026-05" in bad_month.output


def care_cli_app():
    import typer

    app = typer.Typer()
    app.command()(care_cli.compliance)
    return app


async def test_no_visit_or_activity_before_a_child_of_the_pair_was_born(care_deps, event_log) -> None:
    await a_pair(care_deps, formed_on="2016-05-20")  # c1 born 2016-05-20, paired the same day
    visit = dict(pair_id="p1", kind="home_visit", visited_on="1999-11-30", duration_minutes=30)
    before = await send(care_deps, "log_visit", **visit)
    assert error_of(before) == ("invalid", [["visited_on"]])
    assert "before child c1 of the pair was born (2016-05-20)" in before.error.message
    activity = dict(pair_id="p1", kind="reading", held_on="2016-05-19", duration_minutes=60)
    assert error_of(await send(care_deps, "log_activity", **activity)) == ("invalid", [["held_on"]])
    assert not (await event_log.load("pair_care", "p1")).exists
    await ok(care_deps, "log_visit", **{**visit, "visited_on": "2016-05-20"})  # the day of birth is allowed
