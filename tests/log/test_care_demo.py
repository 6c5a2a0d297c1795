"""The demo federation, filled through the services' command path on a real nats-server (each
command as the district caseworker its actor names, as the HTTP API would record it): the "five
ones" compliance of every pair for May agrees with the activities the demo logged."""

from __future__ import annotations

from datetime import date

from rich.progress import Progress

from contracts.regions import parse_region
from services.activity.care.cadence import HAIMEN
from services.platform.web import COMMAND_ROUTES
from contracts.subjects import command_subject
from services.projections import all_projections
from services.projections.pair_compliance.report import pair_compliance
from services.shared.follower.projector import Projector
from services.shared.db import make_engine
from services.shared.endpoints import command_broker, command_router, decode_reply
from services.shared.unit_of_work import Deps
from tooling.demo.federation import Demo
from tests.log.care_cases import FakeClock, haimen_from_answer, haimen_from_log, log_events
from tests.log.projection_cases import catch_up, running


class NatsSender:
    def __init__(self, nc) -> None:
        self.nc = nc

    async def send(self, context: str, name: str, command):
        message = await self.nc.request(command_subject(context, name), command.model_dump_json().encode(),
                                        timeout=60)
        return decode_reply(message.data)


async def test_the_demo_federations_five_ones_for_may_agree_with_its_log(nats_server, nc, event_log, keys,
                                                                        tmp_path) -> None:
    deps = Deps(log=event_log, keys=keys, clock=FakeClock(date(2026, 6, 1)))
    broker = command_broker(nats_server.url)
    for context, routes in COMMAND_ROUTES.items():
        broker.include_router(command_router(context, routes, deps))
    await broker.start()
    try:
        refused = await Demo(NatsSender(nc), children=40, seed=3, progress=Progress(disable=True)).run()
    finally:
        await broker.stop()
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, db, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    async with db.connect() as conn:
        answer = await pair_compliance(conn, parse_region("CN"), "2026-05", HAIMEN)
    await db.dispose()

    events = await log_events(event_log)
    # The demo's past holds together: only its visits dated after this test's today are refused.
    assert set(refused) <= {"log_visit: invalid"}, refused
    assert {"StationActivityLogged", "DonationReceived", "GiftPackDelivered"} <= {e.envelope.event_type for e in events}
    assert sum(e.envelope.event_type == "ActivityLogged" for e in events) > 50
    expected = haimen_from_log(events, date(2026, 5, 1), date(2026, 5, 31))
    assert len(expected) >= 10 and answer["total"] == len(expected)
    assert haimen_from_answer(answer) == expected
    statuses = {s for rules in expected.values() for s, _ in rules.values()}
    assert {"met", "missed", "open"} <= statuses  # a demo that shows every verdict
