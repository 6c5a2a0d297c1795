"""`aixin bench` end to end with tiny numbers: it runs, cleans up and reports positive figures.
Timings are never asserted; they depend on the machine's fsync."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from rich.console import Console

from services.cli.bench import run_bench


async def test_bench_reports_every_figure_and_leaves_nothing_behind() -> None:
    before = set(Path(tempfile.gettempdir()).glob("aixin-bench-*"))
    out = io.StringIO()
    figures = await run_bench(events=200, commands=50, console=Console(file=out, width=120), imports=100)

    assert figures["refused"] == 0
    assert figures["sync_always"] is True
    expected = {"raw_64", "raw_1", "commands", "import", "replay_region_stats", "replay_children_directory"}
    assert expected <= figures.keys()
    for key in expected:
        assert figures[key]["per_second"] > 0 and figures[key]["ratio"] > 0
    assert figures["commands"]["count"] == 50
    assert figures["import"]["count"] == 100
    assert figures["replay_region_stats"]["count"] >= 200  # topped up to at least `events`
    assert "raw js.publish, 64 in flight" in out.getvalue()
    assert set(Path(tempfile.gettempdir()).glob("aixin-bench-*")) == before
