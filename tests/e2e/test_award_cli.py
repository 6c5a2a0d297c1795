"""`aixin award` end to end: `aixin up` in a subprocess, a volunteer recruited over the API; Haizhu
district's caseworker nominates her for 2026, Guangzhou's approver lists the city's nominations
(her name, her record) and grants the award; a district's review and a second nomination are each
refused in one line naming why; the list then says she was awarded by the city."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_cli_accounts import refused
from tests.e2e.test_end_to_end import Up, aixin

pytestmark = pytest.mark.e2e


@pytest.fixture
def up(tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    running = Up(data_dir).start()
    yield running
    running.stop()


def as_user(up: Up, username: str, office: str, role: str) -> None:
    password = f"pw-{username}-secret"
    aixin(up.data_dir, "users", "add", username, "--office", office, "--role", role, "--password-stdin",
          input=f"{password}\n")
    aixin(up.data_dir, "login", username, "--password-stdin", input=f"{password}\n")


def test_a_district_nominates_and_the_city_grants_from_the_command_line(up: Up) -> None:
    reply = httpx.post(f"{up.url}/commands/intake/recruit_volunteer", headers=up.headers(), timeout=30, json={
        "volunteer_id": "v-wf", "region": "440105001101", "name": "王芳", "sex": "female", "kind": "mother",
        "recruited_on": "2026-02-01"})
    assert reply.status_code == 201, reply.text

    as_user(up, "hz-case", "440105", "caseworker")
    said = aixin(up.data_dir, "award", "nominate", "v-wf", "--year", "2026").stdout
    assert "最美爱心妈妈 2026" in said and "2026-v-wf" in said
    refused(aixin(up.data_dir, "award", "nominate", "v-wf", "--year", "2026", check=False), "already nominated")
    refused(aixin(up.data_dir, "award", "grant", "2026-v-wf", check=False), "needs the role approver")

    aixin(up.data_dir, "logout")
    as_user(up, "gz-approve", "4401", "approver")
    table = aixin(up.data_dir, "award", "list", "4401", "--year", "2026").stdout
    assert "王芳" in table and "waiting for review" in table and "海珠区" in table
    granted = aixin(up.data_dir, "award", "grant", "2026-v-wf").stdout
    assert "Awarded: 王芳, 最美爱心妈妈 2026" in granted
    refused(aixin(up.data_dir, "award", "decline", "2026-v-wf", "--reason", "材料不全", check=False), "already awarded")
    listed = json.loads(aixin(up.data_dir, "award", "list", "440105", "--json").stdout)
    [row] = listed["nominations"]
    assert (row["name"], row["status"], row["level"], row["record"]["pairs"]) == ("王芳", "awarded", "city", 0)
    assert "1 awarded by a city office" in aixin(up.data_dir, "award", "list", "4401", "--year", "2026").stdout
