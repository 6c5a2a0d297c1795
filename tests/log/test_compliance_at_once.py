"""A region worked out at once from its pairs keeps the tallies of the levels below it down to the
counties, each under its own mark: a first read of a province, city or county under it then reads
marks only, and agrees with the figures worked out from the pairs (the care tests' federation, on
SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from contracts.regions import parse_region
from services.activity.care.cadence import HAIMEN
from services.projections import all_projections
from services.projections.pair_compliance import cache as kept
from services.projections.pair_compliance.figures import compliance_figures
from services.shared.follower.projector import Projector
from tests.log.care_cases import REGION, child, ok, volunteer
from tests.log.projection_cases import catch_up, running
from tests.log.test_care import care_deps, clock, federation  # noqa: F401  (fixtures)
from tests.log.test_projections import read_db  # noqa: F401  (the SQLite and PostgreSQL fixture)


async def test_a_nation_worked_out_at_once_keeps_the_regions_below_it_down_to_the_counties(care_deps, event_log, read_db, clock,  # noqa: F811
                                                                        monkeypatch) -> None:
    await federation(care_deps, clock)
    other = "440105002101"
    await child(care_deps, "c30", date(2016, 7, 1), region=other)
    await volunteer(care_deps, "v30", region=other)
    await ok(care_deps, "form_pair", pair_id="p30", child_ids=["c30"], volunteer_ids=["v30"])
    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    monkeypatch.setattr(kept, "AT_ONCE", 0)  # the nation's few provinces count as many here
    cache, day = kept.ComplianceCache(), date(2026, 5, 31)

    async def agree(code: str, length: int | None) -> None:
        async with read_db.connect() as conn:
            region = parse_region(code)
            assert await cache.figures(conn, region, "2026-05", HAIMEN, day, length) == \
                await compliance_figures(conn, region, "2026-05", HAIMEN, day, length)

    async with running(projector):
        await catch_up(projector, event_log)
        await agree("CN", 2)
        assert list(cache.worked_out) == [""]  # the nation's pairs, once
        for code, length in (("44", 4), ("4401", 6)):
            await agree(code, length)
        assert list(cache.worked_out) == [""]  # the province and the city: kept from that one pass
        await agree("440105", 9)  # its streets were not kept (counties are the deepest): its pairs, once
        assert list(cache.worked_out) == ["", "440105"]
        await agree("440105002", 12)
        await agree(other, None)
        assert list(cache.worked_out) == ["", "440105", "440105002"]

        await ok(care_deps, "log_activity", pair_id="p3", kind="phone_call", held_on="2026-05-15",
                 child_ids=["c4"], duration_minutes=10)
        await catch_up(projector, event_log)
        await agree("440105002", 12)  # nothing changed under it: still kept
        assert list(cache.worked_out) == ["", "440105", "440105002"]
        await agree("CN", 2)  # a province changed: the nation read again
        assert len(cache.worked_out) == 4 and other not in cache.worked_out
