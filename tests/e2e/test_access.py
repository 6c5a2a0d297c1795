"""Who may do and read what over HTTP, on a real nats-server with the services and read models in
process: a small federation of accounts at a district (440105 海珠区), a province (44) and national
(CN), one per role, against reads and commands inside and outside their subtree — 440105 is inside
all three, 440117 (从化区) inside the province's only, 510623 (中江县, Sichuan) inside CN's only."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import openpyxl
import pytest
from argon2 import PasswordHasher

from contracts.accounts import PERSONAL_DATA_ROLES, Role
from contracts.regions import parse_region
from services.accounts import passwords
from services.api.app import create_api
from services.platform.web import COMMAND_ROUTES
from services.projections import all_projections
from services.shared.db import make_engine
from services.shared.endpoints import command_broker, command_router
from services.shared.follower.projector import Projector
from tests.e2e.test_http_api import add_account, bearer, with_accounts
from tests.log.projection_cases import catch_up, running

OFFICES = {"d": "440105", "p": "44", "n": "CN"}
IN, NEAR, FAR = "440105", "440117", "510623"
TAGS = {IN: "in", NEAR: "near", FAR: "far"}
NAMES = {IN: "李小花", NEAR: "黄乐", FAR: "王小雨"}
COMMUNITY = {IN: "440105001101", NEAR: "440117001001", FAR: "510623100003"}  # a real community of each
ACCOUNTS = {f"{level}-{role}": (office, (role,)) for level, office in OFFICES.items() for role in Role}
ACCOUNTS["d-both"] = (IN, (Role.caseworker, Role.approver))  # may propose and approve, not both of one pair
ACCOUNTS["f-caseworker"] = (FAR, (Role.caseworker,))  # a county's, for what only a district may start there
CONTEXT_OF = {name: context for context, routes in COMMAND_ROUTES.items() for name in routes}
OPEN_ROUTES = {("GET", "/health"), ("POST", "/auth/token")}


@dataclass
class World:
    http: httpx.AsyncClient
    headers: dict[str, dict[str, str]]
    projector: Projector
    event_log: object

    async def post(self, who: str, command: str, /, **body) -> httpx.Response:
        return await self.http.post(f"/commands/{CONTEXT_OF[command]}/{command}", json=body, headers=self.headers[who])

    async def ok(self, who: str, command: str, /, **body) -> dict:
        reply = await self.post(who, command, **body)
        assert reply.status_code == 201, f"{command} by {who}: {reply.text}"
        return reply.json()

    async def get(self, who: str, path: str, /, **params) -> httpx.Response:
        return await self.http.get(path, params=params, headers=self.headers[who])

    async def caught_up(self) -> None:
        await catch_up(self.projector, self.event_log)


@pytest.fixture
async def world(nats_server, nc, event_log, deps, tmp_path, monkeypatch) -> AsyncIterator[World]:
    # Sixteen accounts signing in: argon2 at its cost for real passwords would take most of the test.
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    broker = command_broker(nats_server.url)
    for context, routes in COMMAND_ROUTES.items():
        broker.include_router(command_router(context, routes, deps))
    await broker.start()
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    accounts_db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'accounts.db'}")
    projector = Projector(event_log, db, all_projections())
    await projector.create_schema()
    api = create_api(nc, event_log, db, deps.keys)
    accounts = await with_accounts(api, event_log, accounts_db, tmp_path)
    for username, (office, roles) in ACCOUNTS.items():
        await add_account(accounts, username, office, *roles)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://aixin") as http:
            headers = {username: await bearer(http, username) for username in ACCOUNTS}
            async with running(projector):
                yield World(http, headers, projector, event_log)
    finally:
        await broker.stop()
        await db.dispose()
        await accounts_db.dispose()


async def programme(world: World) -> None:
    """In each district: a child of sixteen (no consent needed to pair her), a trained mother with
    room for five, a wish of the child's, a fund of the district's."""
    for region, tag in TAGS.items():
        await child(world, f"c-{tag}", region, NAMES[region])
        await world.ok("n-caseworker", "recruit_volunteer", volunteer_id=f"v-{tag}", region=COMMUNITY[region],
                       name="王芳", sex="female", kind="mother", capacity=5)
        await world.ok("n-caseworker", "record_training", topic="minors_protection_law", held_on="2026-05-02",
                       volunteer_ids=[f"v-{tag}"])
        await world.ok("n-caseworker", "submit_wish", wish_id=f"w-{tag}", child_id=f"c-{tag}", item="书包",
                       estimated_cost_yuan=80)
        await world.ok("n-caseworker", "open_fund", fund_id=f"f-{tag}", region=region, name="爱心基金")
    await world.caught_up()


async def child(world: World, child_id: str, region: str, name: str = "张小明", who: str = "n-caseworker") -> None:
    await world.ok(who, "register_child", child_id=child_id, region=COMMUNITY[region], name=name,
                   sex="female", birth_date="2010-03-08", category="left_behind")


def within(username: str, region: str) -> bool:
    return parse_region(ACCOUNTS[username][0]).contains(parse_region(region))


def personal(username: str) -> bool:
    return bool(set(ACCOUNTS[username][1]) & PERSONAL_DATA_ROLES)


def dummy(path: str) -> str:
    return path.replace("{code}", "440105").replace("{role}", "viewer").replace("{aggregate_type}", "child") \
        .replace("{", "").replace("}", "")  # other ids: the parameter's name will do


async def test_every_route_but_health_and_the_token_refuses_the_anonymous(world: World) -> None:
    spec = (await world.http.get("/openapi.json")).json()
    assert "OAuth2PasswordBearer" in spec["components"]["securitySchemes"]
    walked = 0
    for path, operations in spec["paths"].items():
        for method in operations:
            if (method.upper(), path) in OPEN_ROUTES:
                continue
            assert operations[method].get("security"), f"{method} {path} does not declare the token"
            for headers in ({}, {"Authorization": "Bearer not-a-token"}):
                reply = await world.http.request(method, dummy(path), headers=headers)
                assert reply.status_code == 401, f"{method} {path}: {reply.status_code} {reply.text}"
                assert reply.headers["www-authenticate"] == "Bearer"
            walked += 1
    assert walked > 50
    assert (await world.http.get("/health")).status_code == 200
    assert "not signed in" in (await world.http.get("/regions/CN/stats")).json()["message"]


REGION_READS = ("/regions/{r}/stats", "/regions/{r}/children", "/regions/{r}/pools", "/regions/{r}/pair-modes",
                "/regions/{r}/gift-packs", "/regions/{r}/concerns", "/regions/{r}/rematch-queue",
                "/regions/{r}/batch-proposal", "/pairs/compliance?region={r}&month=2026-05",
                "/regions/{r}/bulletin?month=2026-05", "/regions/{r}/bulletin.xlsx?month=2026-05")


async def test_each_role_reads_its_subtree_and_personal_data_only_in_roles_that_work_with_files(world) -> None:
    await programme(world)
    for username in ACCOUNTS:
        for region, tag in TAGS.items():
            expected = 200 if within(username, region) else 403
            for route in REGION_READS:
                reply = await world.http.get(route.format(r=region), headers=world.headers[username])
                assert reply.status_code == expected, f"{username} {route} {region}: {reply.text}"
            for path in (f"/history/child/c-{tag}", f"/history/wish/w-{tag}", f"/children/c-{tag}/suggestions",
                         f"/funds/f-{tag}/statement", f"/children/c-{tag}"):
                reply = await world.get(username, path)
                assert reply.status_code == expected, f"{username} {path}: {reply.text}"
            if expected == 403:
                assert "outside" in reply.json()["message"]
                continue
            sees = personal(username)
            [row] = (await world.get(username, f"/regions/{region}/children")).json()["children"]
            assert (row["child_id"], row.get("name"), "birth_date" in row) == (
                f"c-{tag}", NAMES[region] if sees else None, sees), username
            on_file = (await world.get(username, f"/children/c-{tag}")).json()
            assert (on_file["region"], on_file.get("name")) == (COMMUNITY[region], NAMES[region] if sees else None)
            suggested = (await world.get(username, f"/children/c-{tag}/suggestions")).json()
            assert suggested.get("child_name") == (NAMES[region] if sees else None), username
            assert [c["volunteer_id"] for c in suggested["candidates"]] == [f"v-{tag}"]
            [submitted] = (await world.get(username, f"/history/wish/w-{tag}")).json()["events"]
            # WishSubmitted v2 seals the item with the child's key; the history shows no sealed value.
            assert submitted["data"]["item"] == "<sealed>", username
            assert submitted["actor"]["operator_id"] == "n-caseworker"  # who acted is always shown
            [registered] = (await world.get(username, f"/history/child/c-{tag}")).json()["events"]
            assert registered["data"]["personal"] == "<sealed>"


async def test_each_role_commands_what_its_role_allows_within_its_subtree(world) -> None:
    for username in ACCOUNTS:
        for region in (IN, FAR):
            reply = await world.post(username, "register_child", region=COMMUNITY[region], name="张小明",
                                     sex="male", birth_date="2010-02-02", category="left_behind")
            may = Role.caseworker in ACCOUNTS[username][1] and within(username, region)
            assert reply.status_code == (201 if may else 403), f"{username} {region}: {reply.text}"
            if Role.caseworker not in ACCOUNTS[username][1]:
                assert "needs the role caseworker" in reply.json()["message"]

    # A proposal per approver and district, made by the national caseworker; the approver approves
    # within her subtree only, and no other role approves at all.
    for region, tag in TAGS.items():
        await world.ok("n-caseworker", "recruit_volunteer", volunteer_id=f"v-{tag}", region=COMMUNITY[region],
                       name="王芳", sex="female", kind="mother", capacity=5)
        await world.ok("n-caseworker", "record_training", topic="minors_protection_law", held_on="2026-05-02",
                       volunteer_ids=[f"v-{tag}"])
        for level in OFFICES:
            await child(world, f"a-{level}-{tag}", region)
            await world.ok("n-caseworker", "propose_pair", pair_id=f"P-{level}-{tag}", child_ids=[f"a-{level}-{tag}"],
                           volunteer_ids=[f"v-{tag}"])
    for username in ("d-caseworker", "n-caseworker", "n-viewer", "n-admin", "n-system"):
        reply = await world.post(username, "approve_pair", pair_id="P-n-in")
        assert reply.status_code == 403 and "needs the role approver" in reply.json()["message"], username
        assert (await world.post(username, "reject_pair", pair_id="P-n-in", reason="mismatch")).status_code == 403
    for region, tag in TAGS.items():
        for level in OFFICES:
            approver = f"{level}-approver"
            reply = await world.post(approver, "approve_pair", pair_id=f"P-{level}-{tag}")
            assert reply.status_code == (201 if within(approver, region) else 403), f"{approver}: {reply.text}"
    # An approver registers no child: that is the caseworker's.
    assert (await world.post("n-approver", "submit_wish", child_id="a-n-in", item="书包",
                             estimated_cost_yuan=1)).status_code == 403


async def test_the_token_is_the_actor_self_approval_is_refused_and_names_read_are_logged(world) -> None:
    await child(world, "c-mine", IN, "陈明", who="d-caseworker")
    [registered] = (await world.get("d-caseworker", "/history/child/c-mine")).json()["events"]
    assert registered["actor"] == {"operator_id": "d-caseworker", "level": "district", "region": "440105000000",
                                   "role": "caseworker"}
    impostor = await world.post("d-caseworker", "register_child", region="440105001101", name="张小明", sex="male",
                                birth_date="2010-02-02", category="left_behind",
                                actor={"operator_id": "n-admin", "level": "national", "region": "CN"})
    assert impostor.status_code == 422 and impostor.json()["details"][0]["loc"] == ["body", "actor"]
    rows = [{"region": "440105001101", "name": "李四", "sex": "male", "birth_date": "2010-02-02",
             "category": "left_behind"}]
    with_actor = [{**rows[0], "actor": {"operator_id": "x", "level": "national", "region": "CN"}}]
    bulk = await world.post("d-caseworker", "register_children", rows=with_actor)
    assert bulk.status_code == 422 and bulk.json()["details"][0]["loc"] == ["body", "rows", 0, "actor"]
    assert (await world.post("d-caseworker", "register_children", rows=rows)).status_code == 201

    # Four eyes: the proposer may not approve her own proposal, another approver may.
    await world.ok("n-caseworker", "recruit_volunteer", volunteer_id="v-mine", region="440105001101", name="王芳",
                   sex="female", kind="mother")
    await world.ok("n-caseworker", "record_training", topic="minors_protection_law", held_on="2026-05-02",
                   volunteer_ids=["v-mine"])
    await world.ok("d-both", "propose_pair", pair_id="P-mine", child_ids=["c-mine"], volunteer_ids=["v-mine"])
    own = await world.post("d-both", "approve_pair", pair_id="P-mine")
    assert own.status_code == 409, own.text
    assert own.json()["code"] == "rule_violated"
    assert "proposed by operator d-both, who may not approve her own proposal" in own.json()["message"]
    approved = await world.ok("d-approver", "approve_pair", pair_id="P-mine")
    assert approved["events"][0]["event_type"] == "PairApproved"
    actors = [e["actor"]["operator_id"] for e in (await world.get("d-approver", "/history/pair/P-mine")).json()["events"]]
    assert actors[:2] == ["d-both", "d-approver"]

    # Reading names leaves one entry per child read; reading figures or rows without names leaves none.
    await world.caught_up()
    assert (await world.get("d-caseworker", "/regions/440105/children")).status_code == 200
    assert (await world.get("d-caseworker", "/children/c-mine/suggestions")).status_code == 200
    assert (await world.get("d-viewer", "/regions/440105/children")).status_code == 200
    assert (await world.get("d-viewer", "/history/child/c-mine")).status_code == 200
    audit = await world.get("n-admin", "/audit/access", account="d-caseworker")
    assert audit.status_code == 200, audit.text
    entries = [(e["route"], e["child_id"], e["region"]) for e in audit.json()["entries"]]
    children_read = [c for route, c, _ in entries if route == "/regions/{code}/children"]
    assert len(children_read) == 2 and "c-mine" in children_read  # c-mine and the child of the bulk command
    assert ("/children/{child_id}/suggestions", "c-mine", "440105001101") in entries
    assert ("/history/{aggregate_type}/{aggregate_id}", "c-mine", "440105001101") in entries
    assert (await world.get("n-admin", "/audit/access", account="d-viewer")).json()["entries"] == []
    by_child = (await world.get("d-admin", "/audit/access", child_id="c-mine")).json()["entries"]
    assert {e["username"] for e in by_child} == {"d-caseworker", "d-approver"}  # she read the pair's history


async def test_paging_past_any_sane_offset_is_refused_as_invalid(world) -> None:
    for path, params in (("/regions/CN/children", {}), ("/pairs/compliance", {"region": "CN", "month": "2026-05"})):
        for offset in ("10000001", "9223372036854775808"):
            reply = await world.get("n-caseworker", path, offset=offset, **params)
            assert reply.status_code == 422, (path, offset, reply.text)
            assert reply.json()["details"][0]["loc"] == ["query", "offset"]


async def test_teams_are_joined_moved_and_left_within_the_subtree_and_read_there(world) -> None:
    for region, tag in TAGS.items():
        for team in ("t", "t2"):
            await world.ok("n-caseworker", "form_team", team_id=f"{team}-{tag}", region=region, name="爱心妈妈服务队")
        await world.ok("n-caseworker", "open_station", station_id=f"s-{tag}", region=region, name="爱心驿站",
                       opening_days=["sat", "sun"], opened_on="2026-05-01")
    for username, (_office, roles) in ACCOUNTS.items():
        for region in (IN, FAR):
            tag, volunteer = TAGS[region], f"v-{username}-{TAGS[region]}"
            await world.ok("n-caseworker", "recruit_volunteer", volunteer_id=volunteer, region=COMMUNITY[region],
                           name="王芳", sex="female", kind="mother")
            may = Role.caseworker in roles and within(username, region)
            for command, body in (("join_team", {"team_id": f"t-{tag}"}), ("move_team", {"to_team_id": f"t2-{tag}"}),
                                  ("leave_team", {})):
                reply = await world.post(username, command, volunteer_id=volunteer, **body)
                assert reply.status_code == (201 if may else 403), f"{username} {command} {region}: {reply.text}"
    await world.ok("n-caseworker", "join_team", volunteer_id="v-d-viewer-in", team_id="t-in")
    await world.ok("n-caseworker", "log_collective_activity", station_id="s-in", kind="reading", held_on="2026-05-16",
                   duration_minutes=90, volunteer_ids=["v-d-viewer-in"], attendance=30)
    await world.caught_up()
    for username in ("d-caseworker", "d-viewer"):  # the report's hours name her for a caseworker only
        report = await world.get(username, f"/regions/{IN}/report", month="2026-05")
        sheet = openpyxl.load_workbook(io.BytesIO(report.content))["志愿者服务时长"]
        assert list(sheet.iter_rows(values_only=True))[1][:2] == ("王芳" if personal(username) else None,
                                                                  "v-d-viewer-in"), username
    for username in ACCOUNTS:
        for region, tag in TAGS.items():
            expected = 200 if within(username, region) else 403
            for path in (f"/regions/{region}/teams", f"/teams/t-{tag}", f"/regions/{region}/stations",
                         f"/stations/s-{tag}", f"/regions/{region}/service-hours?by=region",
                         f"/history/team/t-{tag}", f"/history/station/s-{tag}"):
                reply = await world.get(username, path)
                assert reply.status_code == expected, f"{username} {path}: {reply.text}"
            if expected == 403:
                continue
            [member] = (await world.get(username, f"/teams/t-{tag}")).json()["members"] if tag == "in" else [None]
            if member is not None:
                assert member.get("volunteer_name") == ("王芳" if personal(username) else None), username
    unknown = await world.get("n-viewer", "/history/spaceship/x1")
    assert unknown.status_code == 422 and "gift_pack" in unknown.json()["message"]


async def test_each_office_submits_its_own_month_and_the_office_directly_above_reviews_it(world) -> None:
    """May is over on the services' clock (1 June). A caseworker submits her own office's month only;
    an approver of the office directly above returns or accepts it, nobody else; the adjustment of a
    month is asked for within one's subtree."""
    month, sent = {"month": "2026-05"}, set()
    for username, (office, roles) in ACCOUNTS.items():
        for region in (IN, NEAR, FAR):
            reply = await world.post(username, "submit_month", office=region, **month)
            may = Role.caseworker in roles and office == region
            expected = (409 if region in sent else 201) if may else 403  # once sent, it awaits review
            assert reply.status_code == expected, f"{username} {region}: {reply.text}"
            sent |= {region} if may else set()
            if Role.caseworker not in roles:
                assert "needs the role caseworker" in reply.json()["message"]
    assert (await world.post("n-caseworker", "submit_month", office="CN", **month)).status_code == 409
    assert (await world.ok("p-caseworker", "submit_month", office="44", **month))["submission_id"] == "44-2026-05"
    for username in ("n-caseworker", "n-viewer", "n-admin", "n-system"):
        reply = await world.post(username, "accept_submission", office="44", **month)
        assert reply.status_code == 403 and "needs the role approver" in reply.json()["message"], username
    for username in ("p-approver", "d-approver"):  # its own month; a month above its office
        reply = await world.post(username, "return_submission", office="44", reason="请核对", **month)
        assert reply.status_code == 403, f"{username}: {reply.text}"
    not_above = await world.post("p-approver", "accept_submission", office=IN, **month)
    assert not_above.status_code == 403 and "directly above 440105 (4401)" in not_above.json()["message"]
    await world.ok("n-approver", "return_submission", office="44", reason="请补充说明", **month)
    await world.ok("p-caseworker", "submit_month", office="44", **month)
    await world.ok("n-approver", "accept_submission", office="44", **month)
    for username, region, expected in (("d-caseworker", IN, 409), ("d-caseworker", FAR, 403),
                                       ("d-viewer", IN, 403), ("n-caseworker", "44", 201)):
        reply = await world.post(username, "adjust_month", office=region, **month)
        assert reply.status_code == expected, f"{username} {region}: {reply.text}"
    await world.caught_up()
    for username in ACCOUNTS:
        for region in (IN, FAR):
            reply = await world.get(username, f"/regions/{region}/submissions/2026-05")
            assert reply.status_code == (200 if within(username, region) else 403), f"{username} {region}"


async def test_recognition_is_nominated_by_a_district_or_town_and_reviewed_by_the_city_or_province_above(world):
    """最美爱心妈妈: a district or town caseworker nominates within her subtree (once a volunteer and
    year); a city or province approver reviews what her subtree holds; every other level, role or
    office is refused; the nominations are read within the subtree, named for roles that read names."""
    await programme(world)
    nominated: set[str] = set()
    for username, (office, roles) in ACCOUNTS.items():
        for region in (IN, FAR):
            volunteer = f"v-{TAGS[region]}"
            reply = await world.post(username, "nominate_volunteer", volunteer_id=volunteer, year=2026)
            may = (Role.caseworker in roles and within(username, region)
                   and parse_region(office).level.value in ("district", "street"))
            expected = (409 if volunteer in nominated else 201) if may else 403
            assert reply.status_code == expected, f"{username} nominates {volunteer}: {reply.text}"
            nominated |= {volunteer} if may else set()
    assert nominated == {"v-in", "v-far"}
    smuggled = await world.post("d-caseworker", "nominate_volunteer", volunteer_id="v-in", year=2025,
                                record={"as_of": "2026-01-01"})
    assert smuggled.status_code == 422 and smuggled.json()["details"][0]["loc"] == ["body", "record"]
    for username, (office, roles) in ACCOUNTS.items():
        if username == "p-approver":
            continue
        for nomination in ("2026-v-in", "2026-v-far"):
            reply = await world.post(username, "decline_nomination", nomination_id=nomination, reason="材料不全")
            assert reply.status_code == 403, f"{username} declines {nomination}: {reply.text}"
            assert (await world.post(username, "award_volunteer", nomination_id=nomination)).status_code == 403
    # The province's approver reviews the district's nomination, not one in Sichuan.
    assert (await world.post("p-approver", "award_volunteer", nomination_id="2026-v-far")).status_code == 403
    await world.ok("p-approver", "decline_nomination", nomination_id="2026-v-in", reason="材料不全")
    assert (await world.post("p-approver", "award_volunteer", nomination_id="2026-v-in")).status_code == 409
    await world.caught_up()
    for username in ACCOUNTS:
        for region, tag in ((IN, "in"), (FAR, "far")):
            expected = 200 if within(username, region) else 403
            for path in (f"/regions/{region}/nominations", f"/nominations/2026-v-{tag}",
                         f"/regions/{region}/recognitions"):
                assert (await world.get(username, path)).status_code == expected, f"{username} {path}"
            if expected == 200:
                [row] = (await world.get(username, f"/regions/{region}/nominations")).json()["nominations"]
                assert row.get("name") == ("王芳" if personal(username) else None), username


async def test_an_approver_sets_the_card_thresholds_of_an_office_of_her_subtree_and_bad_ones_are_refused(world) -> None:
    for username, (_office, roles) in ACCOUNTS.items():
        for region in (IN, FAR):
            reply = await world.post(username, "set_card_thresholds", office=region, from_month="2026-05",
                                     coverage_yellow=85)
            may = Role.approver in roles and within(username, region)
            assert reply.status_code == (201 if may else 403), f"{username} {region}: {reply.text}"
            if Role.approver not in roles:
                assert "needs the role approver" in reply.json()["message"]
    for body, loc in (({"coverage_red": 90}, ["coverage_red"]), ({"overdue_red": 1}, ["overdue_red"]),
                      ({"coverage_yellow": 101}, ["body", "coverage_yellow"]),
                      ({"from_month": "2026-13"}, ["body", "from_month"]), ({"office": COMMUNITY[IN]}, ["office"]),
                      ({"office": "999999"}, ["office"])):
        reply = await world.post("d-approver", "set_card_thresholds", **{"office": IN, **body})
        assert reply.status_code == 422 and reply.json()["details"][0]["loc"] == loc, (body, reply.text)
    await world.caught_up()
    for username in (name for name in ACCOUNTS if within(name, IN)):
        reply = await world.get(username, f"/regions/{IN}/bulletin", month="2026-05")
        assert reply.status_code == 200 and reply.json()["thresholds"]["coverage_yellow"] == 85, username
        refused = await world.get(username, f"/regions/{COMMUNITY[IN]}/bulletin", month="2026-05")
        assert refused.status_code == 422 and "supervises no sub-office" in refused.json()["message"]
