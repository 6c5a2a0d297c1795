"""`aixin bulletin` and `aixin thresholds` against a whole platform in process (the fixture of
test_matching_cli, whose children are in 海珠区): Guangzhou's 通报 for this month names its districts
ranked, with their cards, and writes the workbook; the city's thresholds are set and then carded by;
what cannot be asked is one line and an exit code. Acting as the national admin (credential.json)."""

from __future__ import annotations

import json
from datetime import date

from openpyxl import load_workbook

from tests.e2e.test_matching_cli import aixin, platform  # noqa: F401 (a fixture)


async def test_the_city_s_bulletin_through_the_cli(platform, tmp_path) -> None:  # noqa: F811
    month = f"{date.today():%Y-%m}"  # the fixture's children were registered today
    code, out = await aixin(platform, "bulletin", "4401", month, "--json")
    assert code == 0, out
    found = json.loads(out)
    assert [r["rank"] for r in found["rows"]] == list(range(1, len(found["rows"]) + 1))
    haizhu = next(r for r in found["rows"] if r["region"] == "440105")
    assert haizhu["children"] > 0 and haizhu["status"] is None  # a month not over: not submitted, not late
    assert haizhu["days_late"] is None and haizhu["measures"]["coverage"] is not None
    assert found["thresholds_of"] is None and found["thresholds"]["coverage_yellow"] == 80

    target = tmp_path / "gz.xlsx"
    code, out = await aixin(platform, "bulletin", "4401", month, "--xlsx", str(target))
    assert code == 0, out
    assert f"广州市 {month} 通报" in out and "海珠区" in out and "440105" not in out  # names, not codes
    assert "阈值：默认" in out and f"{target}" in out and "未到截止日" in out  # this month is not due yet
    sheet = load_workbook(target)["通报"]
    assert sheet.cell(1, 1).value.startswith(f"广州市 {month} 通报")
    assert [sheet.cell(row, 3).value for row in range(3, 3 + len(found["rows"]))] == [r["name"] for r in found["rows"]]
    code, out = await aixin(platform, "bulletin", "4401", month, "--lang", "en")
    assert code == 0 and f"广州市: bulletin for {month}" in out and "thresholds: the defaults" in out, out

    code, out = await aixin(platform, "thresholds", "4401", "--from", month, "--set", "coverage_yellow=95",
                            "--set", "coverage_red=90")
    assert code == 0 and "thresholds set" in out, out
    code, out = await aixin(platform, "thresholds", "4401", "--from", month, "--set", "coverage_yellow=95",
                            "--set", "coverage_red=90")
    assert code == 0 and "nothing changed" in out, out
    code, out = await aixin(platform, "bulletin", "4401", month, "--json")
    again = json.loads(out)
    assert (again["thresholds_of"], again["thresholds"]["coverage_red"]) == ("4401", 90)

    for args, why in ((("bulletin", "4401", "2026-13"), "MONTH is a month like 2026-11"),
                      (("bulletin", "9999", month), "not a known division code"),
                      (("thresholds", "4401", "--set", "coverage=5"), "--set takes NAME=VALUE")):
        code, out = await aixin(platform, *args)
        assert code == 2 and why in out, (args, out)
    code, out = await aixin(platform, "thresholds", "4401", "--set", "coverage_red=99")
    assert code == 1 and "coverage_red" in out and "red is for coverage further below" in out, out
    code, out = await aixin(platform, "bulletin", "440105001101", month)
    assert code == 1 and "supervises no sub-office" in out, out
