"""Teams and stations end to end: `aixin up` in a subprocess, a team and a station made over the
API, a volunteer moved between teams, activities held; `aixin hours` names volunteers, teams and
districts (a viewer gets the volunteer's id, not her name), `aixin teams` and `aixin stations` list them, `aixin history` tells a team, a station,
a fund and a donor, and an unknown kind is refused naming the known ones."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_cli_accounts import refused
from tests.e2e.test_end_to_end import Up, aixin

pytestmark = pytest.mark.e2e
VILLAGE = "440105001101"


@pytest.fixture
def up(tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    running = Up(data_dir).start()
    yield running
    running.stop()


def send(up: Up, headers: dict, command: str, context: str = "intake", **body) -> dict:
    reply = httpx.post(f"{up.url}/commands/{context}/{command}", json=body, headers=headers, timeout=30)
    assert reply.status_code == 201, reply.text
    return reply.json()


def programme(up: Up) -> None:
    admin = up.headers()
    send(up, admin, "form_team", team_id="t-bj", region="440105001", name="赤岗街爱心妈妈服务队", formed_on="2026-01-05")
    send(up, admin, "form_team", team_id="t-hz", region="440105", name="海珠区志愿服务队", formed_on="2025-06-01")
    send(up, admin, "open_station", station_id="s-bj", region="440105001", name="赤岗驿站", opening_days=["sat", "sun"],
         opened_on="2026-03-01")
    send(up, admin, "recruit_volunteer", volunteer_id="v-wf", region=VILLAGE, name="王芳", sex="female",
         kind="mother", team_id="t-bj", recruited_on="2026-02-01")
    send(up, admin, "recruit_volunteer", volunteer_id="v-lj", region=VILLAGE, name="李娟", sex="female", kind="mother",
         recruited_on="2026-03-01")
    send(up, admin, "join_team", volunteer_id="v-lj", team_id="t-hz", joined_on="2026-04-20")
    send(up, admin, "log_collective_activity", "activity", station_id="s-bj", kind="reading", held_on="2026-05-02",
         duration_minutes=90, volunteer_ids=["v-wf", "v-lj"], attendance=40)
    send(up, admin, "log_collective_activity", "activity", team_id="t-hz", kind="holiday_activity",
         held_on="2026-05-09", duration_minutes=120, volunteer_ids=["v-lj"], attendance=30)
    send(up, admin, "move_team", volunteer_id="v-wf", to_team_id="t-hz")
    send(up, admin, "register_donor", "activity", donor_id="d-1", region="440105", name="某爱心企业")
    send(up, admin, "open_fund", "activity", fund_id="f-1", region="440105", name="海珠爱心基金")


def hours(up: Up, *args: str) -> dict:
    return json.loads(aixin(up.data_dir, "hours", "440105", *args, "--json").stdout)


def test_hours_are_named_and_every_aggregate_has_a_history(up: Up) -> None:
    programme(up)
    by_volunteer = hours(up, "--by", "volunteer", "--from", "2026-05-01", "--to", "2026-05-31")
    assert [(h["name"], h["hours"]) for h in by_volunteer["holders"]] == [("李娟", 3.5), ("王芳", 1.5)]
    by_team = hours(up, "--by", "team")
    assert {h["name"]: h["hours"] for h in by_team["holders"]} == {"海珠区志愿服务队": 3.5, "赤岗街爱心妈妈服务队": 1.5}
    by_region = hours(up, "--by", "region")
    assert [(h["name"], h["hours"], h["volunteers"]) for h in by_region["holders"]] == [("赤岗街道", 5.0, 2)]
    table = aixin(up.data_dir, "hours", "440105", "--by", "team").stdout
    assert "海珠区志愿服务队" in table and "3.5" in table and "t-hz" in table

    listed = json.loads(aixin(up.data_dir, "teams", "440105", "--json").stdout)
    assert {t["name"]: t["members"] for t in listed["teams"]} == {"海珠区志愿服务队": 2, "赤岗街爱心妈妈服务队": 0}
    roster = aixin(up.data_dir, "teams", "440105", "t-bj").stdout
    assert "王芳" in roster and "v-wf" in roster  # a former member, with the day she left
    places = aixin(up.data_dir, "stations", "440105").stdout
    assert "赤岗驿站" in places and "40" in places and "sat, sun" in places
    page = json.loads(aixin(up.data_dir, "stations", "440105", "s-bj", "--from", "2026-05-01", "--json").stdout)
    assert (page["activities"], page["person_times"], page["by_kind"][0]["kind"]) == (1, 40, "reading")

    aixin(up.data_dir, "users", "add", "view105", "--office", "440105", "--role", "viewer", "--password-stdin",
          input="pw-view-105\n")
    aixin(up.data_dir, "login", "view105", "--password-stdin", input="pw-view-105\n")
    as_viewer = hours(up, "--by", "volunteer")
    assert [(h.get("name"), h["id"]) for h in as_viewer["holders"]] == [(None, "v-lj"), (None, "v-wf")]
    assert "name not shown to this role" in aixin(up.data_dir, "hours", "440105").stdout
    aixin(up.data_dir, "logout")

    for kind, aggregate_id, first in (("team", "t-hz", "TeamFormed"), ("station", "s-bj", "StationOpened"),
                                      ("fund", "f-1", "FundOpened"), ("donor", "d-1", "DonorRegistered")):
        told = json.loads(aixin(up.data_dir, "history", kind, aggregate_id, "--json").stdout)
        assert told["events"][0]["event_type"] == first, kind
    station = aixin(up.data_dir, "history", "station", "s-bj").stdout
    assert "StationOpened" in station and "StationActivityLogged" in station  # with its care
    volunteer = json.loads(aixin(up.data_dir, "history", "volunteer", "v-wf", "--json").stdout)
    assert [e["event_type"] for e in volunteer["events"]] == ["VolunteerRecruited", "VolunteerMovedTeam"]
    refused(aixin(up.data_dir, "history", "spaceship", "x1", check=False), "spaceship", "gift_pack", "team")
    refused(aixin(up.data_dir, "hours", "440105", "--from", "2026-06-01", "--to", "2026-05-01", check=False),
            "is after to")
