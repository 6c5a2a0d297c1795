"""Operator requests to the projection service over NATS: where it stands, and replay."""

from __future__ import annotations

import json

from faststream.nats import NatsMessage, NatsRouter

from contracts.subjects import ADMIN_ROOT
from services.shared.follower.projector import Projector
from services.shared.eventlog import EventLog

POSITION = f"{ADMIN_ROOT}.projections.position"
REPLAY = f"{ADMIN_ROOT}.projections.replay"


def admin_router(projector: Projector, event_log: EventLog) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(POSITION)
    async def position(msg: NatsMessage) -> bytes:
        last = await event_log.last_sequence()
        return json.dumps({"applied": projector.position, "stream_last_seq": last}).encode()

    @router.subscriber(REPLAY)
    async def replay(msg: NatsMessage) -> bytes:
        try:
            request = json.loads(msg.body or b"{}")
            names = request.get("projections") or None
            unknown = [n for n in names or [] if n not in projector.projections]
            if unknown:
                return json.dumps({"ok": False, "error": f"unknown projection {unknown[0]!r}; "
                                   f"known: {', '.join(projector.projections)}"}).encode()
            reports = await projector.replay(names)
        except (ValueError, AttributeError) as error:
            return json.dumps({"ok": False, "error": f"bad replay request: {error}"}).encode()
        return json.dumps({"ok": True, "reports": [
            {"projection": r.projection, "events": r.events, "seconds": round(r.seconds, 3),
             "events_per_second": round(r.events_per_second), "equal": r.equal,
             "differences": r.differences} for r in reports]}).encode()

    return router
