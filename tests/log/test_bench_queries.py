"""The stats-query benchmark at a tiny size (timings are printed by `aixin bench --scale`, never
asserted): it fills the read models through the real projections, from real villages, and reads
every level; what it filled is what the figures say."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from contracts.envelope import FederationLevel
from contracts.regions import Region, divisions
from services.projections.figures.queries import figures_as_of
from services.shared.db import make_engine
from tooling.bench.queries import LEVELS, measure_stats_queries, placed


async def test_the_benchmark_fills_real_villages_and_reads_every_level(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}"
    result = await measure_stats_queries(url, children=300, samples=3)
    assert set(result["stats_query_p99_ms"]) == set(LEVELS) == set(result["stats_query_p50_ms"])
    assert result["stats_query_p99_ms_max"] == max(result["stats_query_p99_ms"].values())
    villages = placed(300)
    assert all(divisions.name_of(code) for code in villages)  # every one a real village
    engine = make_engine(url)
    async with engine.connect() as conn:
        national = await figures_as_of(conn, Region("CN", FederationLevel.national), datetime.now(UTC).date())
    await engine.dispose()
    assert national["children"] == national["children_registered"] == 300
