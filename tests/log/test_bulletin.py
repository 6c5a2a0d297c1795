"""Nantong's 通报 for November on a real nats-server: its districts submit their month (one on time
with every child paired, one weak — a quarter of its children paired —, one four days late, the
rest not at all), the city sets its thresholds, and the bulletin ranks and cards them as the rules
say; its workbook holds the same."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.envelope import Actor, FederationLevel
from contracts.regions import parse_region
from services.activity.care.cadence import profile_named
from services.api.bulletin_file import bulletin_xlsx
from services.projections import all_projections
from services.projections.bulletin.queries import bulletin
from services.projections.pair_compliance.cache import ComplianceCache
from services.reporting.app import ROUTES as REPORTING
from services.shared.db import make_engine
from services.shared.endpoints import execute
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps
from tests.log.care_cases import FakeClock, child, ok, volunteer
from tests.log.projection_cases import catch_up, running

CHONGCHUAN, TONGZHOU, HAIMEN, HAIAN = "320613", "320612", "320614", "320685"
VILLAGE = {CHONGCHUAN: "320613001001", TONGZHOU: "320612001001", HAIMEN: "320614102001"}


def office(code: str) -> Actor:
    level = FederationLevel.city if len(code) == 4 else FederationLevel.district
    return Actor(operator_id=f"op-{code}", level=level, region=code.ljust(12, "0"), role="caseworker")


async def as_office(deps: Deps, code: str, command: str, /, **fields: Any) -> dict:
    model, handler = REPORTING[command]
    body = json.dumps({"actor": office(code).model_dump(mode="json"), **fields}, default=str).encode()
    reply = await execute(deps, model, handler, body)
    assert reply.ok, (command, fields, reply.error)
    return reply.result


async def district(deps: Deps, code: str, children: int, paired: int) -> None:
    """`children` on file in one village of the district, the first `paired` of them paired (a call
    in November keeps their five ones for the month: the year's others are still open)."""
    for n in range(children):
        await child(deps, f"c-{code}-{n}", date(2016, 12, 28), VILLAGE[code])  # the birthday still to come
    for n in range(paired):
        await volunteer(deps, f"v-{code}-{n}", region=VILLAGE[code])
        await ok(deps, "form_pair", pair_id=f"p-{code}-{n}", child_ids=[f"c-{code}-{n}"],
                 volunteer_ids=[f"v-{code}-{n}"])


async def test_the_city_s_bulletin_ranks_its_districts_and_cards_the_late_and_the_weak(
        deps: Deps, event_log, tmp_path) -> None:
    clock = FakeClock(date(2025, 12, 2))  # the day the helpers' volunteers are trained
    deps.clock = clock
    await district(deps, CHONGCHUAN, children=2, paired=2)
    await district(deps, TONGZHOU, children=4, paired=1)
    await district(deps, HAIMEN, children=2, paired=2)
    clock.set(date(2026, 11, 20))
    for code, paired in ((CHONGCHUAN, 2), (TONGZHOU, 1), (HAIMEN, 2)):
        for n in range(paired):
            await ok(deps, "log_visit", pair_id=f"p-{code}-{n}", kind="phone_call", visited_on="2026-11-18",
                     duration_minutes=20)
    clock.set(date(2026, 12, 3))
    await as_office(deps, CHONGCHUAN, "submit_month", office=CHONGCHUAN, month="2026-11")
    clock.set(date(2026, 12, 5))
    await as_office(deps, TONGZHOU, "submit_month", office=TONGZHOU, month="2026-11")
    clock.set(date(2026, 12, 9))  # four days after a district's deadline, the 5th
    await as_office(deps, HAIMEN, "submit_month", office=HAIMEN, month="2026-11")
    await as_office(deps, "3206", "set_card_thresholds", office="3206", from_month="2026-11", coverage_yellow=90,
                    coverage_red=50)

    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    try:
        found = await _bulletin(db, event_log)
    finally:
        await db.dispose()

    assert (found["thresholds_of"], found["thresholds"]["coverage_yellow"]) == ("3206", 90)
    rows = {r["region"]: r for r in found["rows"]}
    assert [r["region"] for r in found["rows"]][:3] == [CHONGCHUAN, HAIMEN, TONGZHOU]
    assert [(r["rank"], r["score"], r["card"]) for r in (rows[c] for c in (CHONGCHUAN, HAIMEN, TONGZHOU))] == [
        (1, 100.0, None), (2, 90.0, "yellow"), (3, 81.2, "red")]
    assert rows[HAIMEN]["cards"] == [{"card": "yellow", "measure": "timeliness", "reason": "late", "value": 4}]
    assert (rows[HAIMEN]["submitted_on"], rows[HAIMEN]["deadline"], rows[HAIMEN]["status"]) == (
        "2026-12-09", "2026-12-05", "submitted")
    assert rows[TONGZHOU]["cards"] == [{"card": "red", "measure": "coverage", "reason": "below_red", "value": 25.0}]
    assert rows[TONGZHOU]["measures"] == {"timeliness": 1.0, "coverage": 0.25, "compliance": 1.0, "overdue": 1.0}
    # The districts that sent nothing are red, last, by code; every district of the city is ranked.
    assert rows[HAIAN]["cards"] == [{"card": "red", "measure": "timeliness", "reason": "not_submitted", "value": 9}]
    assert [r["region"] for r in found["rows"][3:]] == ["320623", "320671", "320681", "320682", HAIAN]
    assert found["counts"] == {"blue": 0, "yellow": 1, "red": 6}

    sheet = load_workbook(io.BytesIO(bulletin_xlsx(found)))["通报"]
    lines = [[c.value for c in line] for line in sheet.iter_rows(min_row=3, max_row=5)]
    assert [(line[0], line[1], line[2], line[4]) for line in lines] == [
        (1, CHONGCHUAN, "崇川区", "—"), (2, HAIMEN, "海门区", "黄牌"), (3, TONGZHOU, "通州区", "红牌")]
    assert lines[2][13] == "结对覆盖率25%，低于红牌线50%"
    assert sheet.cell(5, 5).fill.fgColor.rgb.endswith("FFC7CE")


async def _bulletin(db: AsyncEngine, event_log) -> dict:
    projector = Projector(event_log, db, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    async with db.connect() as conn:
        return await bulletin(conn, parse_region("3206"), "2026-11", date(2026, 12, 14), ComplianceCache(),
                              profile_named("haimen"))
