"""`aixin stats` and `aixin report` through the CLI, against a whole platform in process (embedded
nats-server, services, projector, HTTP API) filled by `aixin demo`: the figures at a province and
its cities add up, as of a day long past they are all zero, as of today they are the live ones, a
year month by month, and the month's report opens in openpyxl with a row per city the demo filled."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from services.cli.app import app
from services.platform.embedded_nats import free_port
from services.platform.runtime import Platform
from services.platform.settings import Settings

pytestmark = pytest.mark.e2e
DEMO_CHILDREN = 60


@pytest.fixture
async def platform(tmp_path: Path):
    running = Platform(Settings(data_dir=tmp_path / "data", http_port=free_port()))
    await running.start()
    yield running
    await running.stop()


async def aixin(platform: Platform, *args: str) -> tuple[int, str]:
    """Run the CLI in a thread: it calls the HTTP API that this test's event loop serves."""
    result = await asyncio.to_thread(CliRunner().invoke, app, [*args, "--data-dir", str(platform.settings.data_dir)])
    return result.exit_code, result.output


async def as_json(platform: Platform, *args: str) -> dict:
    code, out = await aixin(platform, *args, "--json")
    assert code == 0, out
    return json.loads(out)


async def settled(platform: Platform, region: str, seconds: float = 150) -> dict:
    """The region's figures once the reminders due are raised and counted."""
    deadline = asyncio.get_running_loop().time() + seconds
    last = None
    while asyncio.get_running_loop().time() < deadline:
        now = await as_json(platform, "stats", region)
        if now["reminders_raised"] and now == last:
            return now
        last = now
        await asyncio.sleep(2)
    raise AssertionError(f"no reminder was raised in {seconds} s")


def counts(result: dict) -> dict[str, int]:
    return {k: v for k, v in result.items() if isinstance(v, int)}


async def test_stats_as_of_and_the_months_report_through_the_cli(platform: Platform, tmp_path: Path) -> None:
    code, out = await aixin(platform, "demo", "--children", str(DEMO_CHILDREN), "--seed", "5")
    assert code == 0, out
    today = datetime.now(UTC).date()
    # The reminder process ticks once a minute: the demo's pairs, last in contact in May, are overdue.
    live = await settled(platform, "44")
    assert live["reminders_open_contact_overdue"] == live["reminders_raised_contact_overdue"] > 0
    assert live["as_of"] == today.isoformat() and live["children"] > 0 and live["volunteers"] > 0
    assert live["activities"] > 0 and live["service_minutes"] > 0 and 0 < live["coverage"] <= 1
    for name, value in counts(live).items():  # the province is the sum of its cities (and its own)
        assert value == sum(sub[name] for sub in live["subregions"]), name
    filled = {sub["name"] for sub in live["subregions"] if sub["children"]}
    assert filled == {"广州市", "深圳市"}
    assert live["compliance"]["pairs"] == sum(sub["compliance"]["pairs"] for sub in live["subregions"]) > 0

    past = await as_json(platform, "stats", "44", "--as-of", "2000-01-01")
    assert set(counts(past).values()) == {0} and past["coverage"] == 0.0 and past["compliance"]["pairs"] == 0
    now = await as_json(platform, "stats", "44", "--as-of", today.isoformat())
    assert now == live

    year = await as_json(platform, "stats", "44", "--monthly", str(today.year))
    assert [m["month"] for m in year["months"]] == [f"{today.year}-{n:02d}" for n in range(1, today.month + 1)]
    # The year's months add up to the year's span (the demo's stations held activities in 2025 too).
    this_year = await as_json(platform, "stats", "44", "--from", f"{today.year}-01-01", "--to", today.isoformat())
    assert sum(m["activities"] for m in year["months"]) == this_year["activities"] > 0
    assert this_year["activities"] < live["activities"]
    assert {k: year["months"][-1][k] for k in ("children", "volunteers", "active_pairs")} == \
        {k: live[k] for k in ("children", "volunteers", "active_pairs")}

    code, table = await aixin(platform, "stats", "44")
    assert code == 0 and "在册儿童" in table and "结对覆盖率" in table and "广州市 4401" in table
    code, table = await aixin(platform, "stats", "44", "--lang", "en", "--as-of", "2000-01-01")
    assert code == 0 and "children on file" in table and "0.0%" in table
    code, out = await aixin(platform, "stats", "999999")
    assert code == 2 and "not a known division code" in out

    month = today.strftime("%Y-%m")
    path = tmp_path / "r.xlsx"
    code, out = await aixin(platform, "report", "44", "--month", month, "--format", "xlsx", "--out", str(path))
    assert code == 0, out
    book = openpyxl.load_workbook(path)
    assert {"志愿者", "儿童与结对", "活动", "五个一", "志愿者服务时长"} <= set(book.sheetnames)
    rows = list(book["儿童与结对"].iter_rows(values_only=True))
    assert rows[0][:3] == ("区划代码", "名称", "在册儿童")
    by_name = {row[1]: row for row in rows[1:]}
    assert {"广州市", "深圳市", "合计（广东省）"} <= set(by_name) and len(rows) == 1 + 21 + 1  # 21 cities
    assert by_name["广州市"][0] == "4401" and by_name["广州市"][2] + by_name["深圳市"][2] == live["children"]
    assert by_name["合计（广东省）"][2] == live["children"]

    # A viewer of Guangdong reads its figures and its report, and nothing of Sichuan.
    accounts = json.loads((platform.settings.data_dir / "demo-accounts.json").read_text())
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{platform.settings.http_port}") as http:
        token = (await http.post("/auth/token", data={"username": "viewer-44",
                                                      "password": accounts["viewer-44"]["password"]})).json()
        viewer = {"Authorization": f"Bearer {token['access_token']}"}
        assert counts((await http.get("/regions/44/stats", headers=viewer)).json()) == counts(live)
        assert (await http.get(f"/regions/4401/report?month={month}", headers=viewer)).status_code == 200
        for path in ("/regions/51/stats", "/regions/CN/series?year=2026", f"/regions/51/report?month={month}"):
            assert (await http.get(path, headers=viewer)).status_code == 403, path
        assert (await http.get("/regions/44/stats?as_of=2999-01-01", headers=viewer)).status_code == 422

    csv_path = tmp_path / "r.csv"
    code, out = await aixin(platform, "report", "440105", "--month", month, "--format", "csv", "--out", str(csv_path))
    assert code == 0, out
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0][:3] == ["区划代码", "名称", "志愿者·在册志愿者"] and lines[-1][1] == "合计（海珠区）"
