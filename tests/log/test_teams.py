"""Teams and stations as people run them, on a real nats-server with the read models on SQLite and
PostgreSQL: a volunteer recruited into a team moves to another while a second joins and leaves the
first; the rosters say who is in each team now and who was, from when to when; a station's page
counts its activities and their attendance as given."""

from __future__ import annotations

from datetime import date

from contracts.regions import parse_region
from services.projections import all_projections
from services.projections.figures.hours import service_hours
from services.projections.station_pages import region_stations, station_page
from services.projections.team_rosters import region_teams, team_roster
from services.shared.follower.projector import Projector
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import error_of, event_types, ok, send
from tests.log.test_projections import read_db  # noqa: F401  (the SQLite and PostgreSQL read models)

VILLAGE = "440105001101"
FAR_VILLAGE = "440117001001"


async def read_models(event_log, engine) -> None:
    projector = Projector(event_log, engine, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)


async def teams_and_volunteers(deps) -> None:
    await ok(deps, "form_team", team_id="t-street", region="440105001", name="滨江街爱心妈妈服务队",
             formed_on="2026-01-10")
    await ok(deps, "form_team", team_id="t-district", region="440105", name="海珠区爱心妈妈志愿服务队",
             formed_on="2025-03-01")
    await ok(deps, "form_team", team_id="t-far", region="440117", name="从化区服务队")
    await ok(deps, "recruit_volunteer", volunteer_id="v1", region=VILLAGE, name="王芳", sex="female",
             kind="mother", team_id="t-street", recruited_on="2026-04-01")
    await ok(deps, "recruit_volunteer", volunteer_id="v2", region=VILLAGE, name="李娟", sex="female", kind="mother",
             recruited_on="2026-04-15")


async def test_join_move_and_leave_show_on_the_rosters(deps, event_log, read_db) -> None:  # noqa: F811
    await teams_and_volunteers(deps)
    await ok(deps, "join_team", volunteer_id="v2", team_id="t-street", joined_on="2026-05-01")
    await ok(deps, "move_team", volunteer_id="v1", to_team_id="t-district", moved_on="2026-05-10")
    await ok(deps, "leave_team", volunteer_id="v2", left_on="2026-05-20", reason="搬家")
    assert await event_types(event_log, "volunteer", "v1") == ["VolunteerRecruited", "VolunteerMovedTeam"]
    assert await event_types(event_log, "volunteer", "v2") == [
        "VolunteerRecruited", "VolunteerJoinedTeam", "VolunteerLeftTeam"]

    await read_models(event_log, read_db)
    async with read_db.connect() as conn:
        street = await team_roster(conn, "t-street")
        district = await team_roster(conn, "t-district")
        listed = {t["team_id"]: t["members"] for t in await region_teams(conn, parse_region("440105"))}
    assert street["members"] == []
    assert [(m["volunteer_id"], m["joined_on"], m["left_on"]) for m in street["former"]] == [
        ("v1", "2026-04-01", "2026-05-10"), ("v2", "2026-05-01", "2026-05-20")]  # recruited into it on 1 April
    assert [(m["volunteer_id"], m["joined_on"]) for m in district["members"]] == [("v1", "2026-05-10")]
    assert (district["name"], district["level"]) == ("海珠区爱心妈妈志愿服务队", "district")
    assert listed == {"t-street": 0, "t-district": 1}  # 从化区's team is not in 海珠区's subtree


async def test_bad_moves_are_refused_with_the_reason(deps) -> None:
    await teams_and_volunteers(deps)
    assert error_of(await send(deps, "join_team", volunteer_id="v2", team_id="t-none")) == ("not_found", [])
    assert error_of(await send(deps, "join_team", volunteer_id="v2", team_id="t-far")) == ("invalid", [["team_id"]])
    assert error_of(await send(deps, "leave_team", volunteer_id="v2"))[0] == "rule_violated"
    moved = await send(deps, "move_team", volunteer_id="v1", to_team_id="t-street")
    assert error_of(moved) == ("invalid", [["to_team_id"]])
    assert "already in team t-street" in moved.error.message
    future = await send(deps, "join_team", volunteer_id="v2", team_id="t-street", joined_on="2026-06-02")
    assert error_of(future) == ("invalid", [["joined_on"]])
    await ok(deps, "withdraw_volunteer", volunteer_id="v2", reason="不再参加")
    withdrawn = await send(deps, "join_team", volunteer_id="v2", team_id="t-street")
    assert "volunteer v2 has withdrawn" in withdrawn.error.message


async def test_a_station_page_counts_its_activities_and_attendance(deps, event_log, read_db) -> None:  # noqa: F811
    await ok(deps, "open_station", station_id="s1", region="440105001", name="滨江驿站", opening_days=["sat", "sun"],
             opened_on="2026-03-01")
    await ok(deps, "open_station", station_id="s2", region="440105001", name="江南驿站", opening_days=["mon", "wed"])
    for day, attendance in (("2026-05-02", 160), ("2026-05-09", 40)):
        await ok(deps, "log_collective_activity", station_id="s1", kind="holiday_activity", held_on=day,
                 duration_minutes=120, attendance=attendance)
    await ok(deps, "log_collective_activity", station_id="s1", kind="reading", held_on="2026-04-11",
             duration_minutes=60, attendance=12)
    await read_models(event_log, read_db)
    async with read_db.connect() as conn:
        page = await station_page(conn, "s1", date(2026, 5, 1), date(2026, 5, 31))
        listed = await region_stations(conn, parse_region("440105"), date(2000, 1, 1), date(2026, 6, 1))
    assert (page["name"], page["opening_days"], page["activities"], page["person_times"]) == (
        "滨江驿站", ["sat", "sun"], 2, 200)
    assert page["by_kind"] == [{"kind": "holiday_activity", "activities": 2, "person_times": 200, "children": 0,
                                "volunteers": 0, "guardians": 0, "minutes": 240}]
    assert [(s["station_id"], s["activities"], s["person_times"]) for s in listed] == [("s2", 0, 0), ("s1", 3, 212)]


async def test_hours_count_to_the_team_she_is_in_when_they_are_logged(deps, event_log, read_db) -> None:  # noqa: F811
    await teams_and_volunteers(deps)
    await ok(deps, "open_station", station_id="s1", region="440105001", name="赤岗驿站", opening_days=["sat", "sun"],
             opened_on="2026-03-01")
    held = {"station_id": "s1", "kind": "reading", "duration_minutes": 60, "volunteer_ids": ["v1"]}
    await ok(deps, "log_collective_activity", held_on="2026-04-05", **held)  # in t-street then
    await ok(deps, "move_team", volunteer_id="v1", to_team_id="t-district", moved_on="2026-05-10")
    await ok(deps, "log_collective_activity", held_on="2026-05-16", **{**held, "duration_minutes": 90})
    await read_models(event_log, read_db)
    district, since, until = parse_region("440105"), date(2026, 1, 1), date(2026, 6, 1)
    async with read_db.connect() as conn:
        by_team = {r["id"]: r["hours"] for r in await service_hours(conn, district, "team", since, until)}
        by_region = await service_hours(conn, district, "region", since, until)
        may = await service_hours(conn, district, "volunteer", date(2026, 5, 1), date(2026, 5, 31))
    assert by_team == {"t-street": 1.0, "t-district": 1.5}
    assert [(r["id"], r["hours"], r["volunteers"]) for r in by_region] == [("440105001", 2.5, 1)]
    assert [(r["id"], r["hours"]) for r in may] == [("v1", 1.5)]
