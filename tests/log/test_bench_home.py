"""The scale bench's national home page at a tiny size (the bench itself fills a million children
and is never run here): the real API and dashboard serve GET /r/CN over the read models the stats
step filled, and its server times are measured, first visit and later ones."""

from __future__ import annotations

from pathlib import Path

from tooling.bench.home import measure_national_home
from tooling.bench.queries import measure_stats_queries


async def test_the_national_home_page_is_served_and_timed_over_the_benchs_read_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/stats.db"
    await measure_stats_queries(url, 300, samples=5)
    timed = await measure_national_home(url)
    assert set(timed) == {"first_ms", "first_warmed_ms", "later_p50_ms"}
    assert all(ms > 0 for ms in timed.values())
