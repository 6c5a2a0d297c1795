"""The national admin's home page (GET /r/CN, the dashboard's heaviest: the nation's figures, the
provinces', last month's, the year's series, every card and chart) served by the real API and
dashboard over read models an earlier step filled (`tooling.bench.queries`): its server time on the
first visit (caches cold, as right after a start), on the first visit once the API has worked its
compliance out ahead (services.api.warm, as the platform does at start), and the median of later
visits. Signing in is left out (the caller is given), as the page's own reads are what is timed."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import httpx
from fastapi import routing

from contracts.accounts import Role
from contracts.regions import parse_region
from services.api.app import create_api
from services.api.auth import Caller, signed_in
from services.api.warm import warm_once
from services.dashboard import add_dashboard
from services.dashboard.client import SESSION
from services.shared.db import make_engine

LATER = 20


async def measure_national_home(db_url: str) -> dict:
    """{"first_ms", "first_warmed_ms", "later_p50_ms"} of GET /r/CN over the read models at db_url."""
    engine = make_engine(db_url)
    try:
        cold = await _visits(engine, warmed=False, count=1)
        warm = await _visits(engine, warmed=True, count=1 + LATER)
    finally:
        await engine.dispose()
    return {"first_ms": round(cold[0], 1), "first_warmed_ms": round(warm[0], 1),
            "later_p50_ms": round(statistics.median(warm[1:]), 1)}


async def _visits(engine, warmed: bool, count: int) -> list[float]:
    """A fresh API and dashboard (caches empty) visited `count` times, after its warm-up if `warmed`."""
    api = create_api(None, None, engine, None)
    add_dashboard(api)
    for _ in routing.iter_route_contexts(api.routes):  # made ready as services.platform.web does at start
        pass
    national = Caller("bench-admin", parse_region("CN"), frozenset({Role.admin, Role.caseworker, Role.approver}))
    api.dependency_overrides[signed_in] = lambda: national
    if warmed:
        await warm_once(engine, api.state.compliance, datetime.now(UTC).date())
    times = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://bench",
                                 cookies={SESSION: "bench"}) as http:
        for _ in range(count):
            started = time.perf_counter()
            reply = await http.get("/r/CN")
            times.append((time.perf_counter() - started) * 1000)
            if reply.status_code != 200:
                raise RuntimeError(f"the national home page answered {reply.status_code}: {reply.text[:300]}")
    return times
