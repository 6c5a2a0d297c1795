"""`aixin bench` end to end with tiny numbers: it runs, cleans up and reports every figure the
performance goals are judged by. Timings are never asserted; they depend on the machine's fsync."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from rich.console import Console

from services.projections import all_projections
from tooling.bench.run import run_bench

KEYS = {"raw_publish_per_s", "raw_ordered_read_per_s", "register_per_s", "register_64_per_s",
        "register_nats_per_s", "register_nats_64_per_s", "form_pair_per_s", "form_pair_64_per_s",
        "form_pair_nats_64_per_s", "import_rows_per_s", "rebuild_all_per_s", "visible_p50_ms",
        "visible_p99_ms", "visible_import_p50_ms", "visible_import_p99_ms", "stats_query_p99_ms",
        "peer_register_per_s", "peer_rebuild_per_s"}


async def test_bench_reports_every_figure_and_leaves_nothing_behind() -> None:
    before = set(Path(tempfile.gettempdir()).glob("aixin-bench-*"))
    out = io.StringIO()
    figures = await run_bench(events=300, commands=40, console=Console(file=out, width=160), imports=100,
                              peer=True, visible_samples=5, stats_samples=5)

    assert figures["refused"] == 0, out.getvalue()
    assert figures["sync_always"] is True
    assert KEYS <= figures.keys()
    for key in KEYS:
        assert figures[key] > 0, key
    assert set(figures["rebuild_per_s"]) == {p.name for p in all_projections()}
    assert all(rate > 0 for rate in figures["rebuild_per_s"].values())
    assert figures["rebuild_all_events"] >= 300  # topped up to at least `events`
    assert figures["rebuild_all_equal"] is True
    assert figures["peer_registered"] == 40
    assert set(figures["stats_query_ms"]) == {"national", "province", "city", "district", "street", "community"}
    assert figures["ratios"]["rebuild_all_vs_peer"] > 0
    json.dumps(figures)  # what --json prints
    assert "raw ordered consumer read of the log" in out.getvalue()
    assert set(Path(tempfile.gettempdir()).glob("aixin-bench-*")) == before
