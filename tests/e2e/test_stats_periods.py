"""`aixin stats` and `aixin report` over a period, through the CLI and the HTTP API of a whole
platform in process: from one day to another or a named period (寒假, its alias, a year set in the
data directory's periods.json), stocks at the end and at the start; every wrong request refused
with its reason — a CLI line and an exit code, a 422 naming its field — never a traceback."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
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


@pytest.fixture
async def platform(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "periods.json").write_text(json.dumps({"暑假": {"2025": ["2025-07-05", "2025-08-30"]}}), encoding="utf-8")
    running = Platform(Settings(data_dir=data, http_port=free_port()))
    await running.start()
    yield running
    await running.stop()


async def aixin(platform: Platform, *args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, app, [*args, "--data-dir", str(platform.settings.data_dir)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


async def as_json(platform: Platform, *args: str) -> dict:
    code, out = await aixin(platform, *args, "--json")
    assert code == 0, out
    return json.loads(out)


async def test_stats_and_reports_over_a_period_and_every_wrong_request_refused(platform: Platform, tmp_path: Path) -> None:
    winter = await as_json(platform, "stats", "44", "--from", "2026-01-20", "--to", "2026-02-28")
    assert (winter["from"], winter["to"], winter["days"], winter["period"]) == ("2026-01-20", "2026-02-28", 40, None)
    assert winter["as_of"] == "2026-02-28" and {"children", "active_pairs", "counties_covered"} <= set(winter["at_start"])
    assert "activities" not in winter["at_start"] and winter["activities"] == 0
    assert await as_json(platform, "stats", "44", "--period", "winter", "--year", "2026") == {**winter, "period": "寒假"}
    summer = await as_json(platform, "stats", "44", "--period", "暑假", "--year", "2025")
    assert (summer["from"], summer["to"]) == ("2025-07-05", "2025-08-30")  # the data directory's settings
    code, table = await aixin(platform, "stats", "44", "--period", "寒假", "--year", "2026")
    assert code == 0 and "寒假 · 2026-01-20 至" in table and "期初" in table and "服务家长人次" in table

    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    for args, exit_code, says in [
        (("--from", "2026-02-28", "--to", "2026-01-20"), 2, "--from (2026-02-28) is after --to (2026-01-20)"),
        (("--from", "2026-02-30", "--to", "2026-03-01"), 2, "--from is a day like 2026-01-20"),
        (("--from", "2026-02-01"), 2, "needs both --from and --to"),
        (("--period", "国庆"), 1, "not a known period"),
        (("--from", "2026-01-01", "--to", tomorrow), 1, "after today"),
        (("--period", "winter", "--as-of", "2026-01-01"), 2, "goes with neither --as-of"),
    ]:
        code, out = await aixin(platform, "stats", "44", *args)
        assert (code, says in out, "Traceback" in out) == (exit_code, True, False), (args, out)

    path = tmp_path / "summer.xlsx"
    code, out = await aixin(platform, "report", "44", "--period", "summer", "--year", "2025", "--out", str(path))
    assert code == 0, out
    book = openpyxl.load_workbook(path)
    assert "覆盖县（市、区）数" in [c.value for c in book["儿童与结对"][1]]
    assert "服务家长人次" in [c.value for c in book["活动"][1]]
    code, out = await aixin(platform, "report", "44", "--month", "2026-05", "--period", "summer")
    assert code == 2 and "one of them" in out

    admin = json.loads((platform.settings.data_dir / "credential.json").read_text())
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{platform.settings.http_port}") as http:
        token = (await http.post("/auth/token", data=admin)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for query, field in [("from=2026-02-28&to=2026-01-20", "from"), ("from=2026-02-30&to=2026-03-01", "from"),
                             ("from=2026-01-01", "to"), (f"from=2026-01-01&to={tomorrow}", "to"),
                             ("period=国庆", "period"), ("period=winter&year=2999", "year"),
                             ("year=2026", "year"), ("period=winter&as_of=2026-01-01", "as_of")]:
            reply = await http.get(f"/regions/44/stats?{query}", headers=headers)
            assert reply.status_code == 422, (query, reply.text)
            assert reply.json()["details"][0]["loc"] == ["query", field], (query, reply.json())
        reply = await http.get("/regions/44/report?period=winter&year=2026&format=csv", headers=headers)
        assert reply.status_code == 200 and "2026-01-20_2026-02-28" in reply.headers["content-disposition"]
        assert (await http.get("/regions/44/report", headers=headers)).status_code == 422
