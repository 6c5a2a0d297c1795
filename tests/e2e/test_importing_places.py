"""A district federation's list through `aixin import` on a running platform: GBK, rows giving the
village's code, the county's code with the town and village by name, or the county's code alone.
Every good row is registered once in the place it names, every bad row is reported by line, the
county's children are its work list until their village is completed."""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tooling.synthetic.places import synthetic_mixed_children
from tests.e2e.test_end_to_end import Up, aixin

pytestmark = pytest.mark.e2e


def until(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "the read models did not catch up"
        time.sleep(0.3)
    return result


def listed(data_dir: Path, *command: str) -> dict:
    return json.loads(aixin(data_dir, *command, "--json", "--limit", "10000").stdout)


def test_a_mixed_gbk_list_lands_each_child_where_its_row_says(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    listing = synthetic_mixed_children(300, bad_share=0.03, seed=9, name_bad_share=0.05)
    assert {kind for kind, _ in listing.bad.values()} >= {"unknown_village", "ambiguous_village", "village_missing"}
    path = listing.write_csv(tmp_path / "海珠区花名册.csv", encoding="gbk")
    counties = Counter(code for code in listing.expected.values() if code.endswith("000000"))
    assert counties and len(counties) < len(listing.expected)
    up = Up(data_dir).start()
    try:
        output = " ".join(aixin(data_dir, "import", "children", str(path)).stdout.split())
        assert f"registered {len(listing.expected)}" in output and f"bad rows {len(listing.bad)}" in output
        with Path(f"{path}.import-report.csv").open(encoding="utf-8-sig", newline="") as report:
            reported = {(int(r["行号/line"]), r["列/column"]) for r in csv.DictReader(report)}
        assert reported == {(line, column) for line, (_, column) in listing.bad.items()}

        children = until(lambda: (rows := listed(data_dir, "children", "CN")["children"])
                         and len(rows) == len(listing.expected) and rows)
        assert Counter(row["region"] for row in children) == Counter(listing.expected.values())
        work = until(lambda: (found := listed(data_dir, "work", "places", "CN"))["total"] == sum(counties.values())
                     and found)
        assert Counter(row["county"] for row in work["children"]) == counties and work["children"][0]["name"]

        child = work["children"][0]
        county = child["county"]
        village = next(code for code in listing.expected.values() if code[:6] == county[:6] and code != county)
        headers, url = up.headers(), f"{up.url}/commands/intake/complete_child_place"
        elsewhere = httpx.post(url, json={"child_id": child["child_id"], "region": "110101001001"},
                               headers=headers, timeout=30)
        assert elsewhere.status_code == 422 and "the county the child was registered at" in elsewhere.text
        done = httpx.post(url, json={"child_id": child["child_id"], "region": village}, headers=headers, timeout=30)
        assert done.status_code == 201, done.text
        until(lambda: listed(data_dir, "work", "places", county[:6])["total"] == counties[county] - 1)
        moved = until(lambda: [r for r in listed(data_dir, "children", village)["children"]
                               if r["child_id"] == child["child_id"]])
        assert moved[0]["region"] == village
        events = json.loads(aixin(data_dir, "history", "child", child["child_id"], "--json").stdout)["events"]
        assert [(e["event_type"], e["region"]) for e in events] == [
            ("ChildRegistered", county), ("ChildPlaceCompleted", village)]
        again = httpx.post(url, json={"child_id": child["child_id"], "region": village}, headers=headers, timeout=30)
        assert again.status_code == 409

        output = " ".join(aixin(data_dir, "import", "children", str(path)).stdout.split())
        assert "registered 0" in output and f"already registered {len(listing.expected)}" in output
    finally:
        up.stop()
