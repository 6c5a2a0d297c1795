"""Operator requests to the projection service over NATS: where it stands, and rebuilds.

`rebuild` starts a rebuild into shadow tables (or resumes one stopped midway) and answers at once;
`rebuild.status` says how far it has come. The live read models keep serving and following the log
meanwhile. `replay` is the same rebuild, answered only when it is done (for `aixin bench`).
"""

from __future__ import annotations

import json

from faststream.nats import NatsMessage, NatsRouter

from contracts.subjects import ADMIN_ROOT
from services.shared.follower.projector import Projector
from services.shared.eventlog import EventLog

POSITION = f"{ADMIN_ROOT}.projections.position"
REPLAY = f"{ADMIN_ROOT}.projections.replay"
REBUILD = f"{ADMIN_ROOT}.projections.rebuild"
REBUILD_STATUS = f"{ADMIN_ROOT}.projections.rebuild.status"


def _names(projector: Projector, body: bytes | None) -> list[str] | str:
    """The projections a request names (none: all), or what is wrong with it."""
    try:
        names = json.loads(body or b"{}").get("projections") or []
    except (ValueError, AttributeError) as error:
        return f"bad request: {error}"
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return "bad request: projections must be a list of names"
    unknown = [n for n in names if n not in projector.projections]
    if unknown:
        return f"unknown projection {unknown[0]!r}; known: {', '.join(projector.projections)}"
    return names


def _refused(error: str) -> bytes:
    return json.dumps({"ok": False, "error": error}).encode()


def admin_router(projector: Projector, event_log: EventLog) -> NatsRouter:
    router = NatsRouter()
    rebuilds = projector.rebuilds

    async def status() -> dict:
        return {"applied": projector.position, "stream_last_seq": await event_log.last_sequence(),
                "rebuild": rebuilds.status()}

    @router.subscriber(POSITION)
    async def position(msg: NatsMessage) -> bytes:
        return json.dumps(await status()).encode()

    @router.subscriber(REBUILD)
    async def rebuild(msg: NatsMessage) -> bytes:
        names = _names(projector, msg.body)
        if isinstance(names, str):
            return _refused(names)
        already = rebuilds.running
        try:
            await rebuilds.start(names)
        except Exception as error:  # noqa: BLE001  (the database, say: the operator is told why)
            return _refused(f"the rebuild could not start: {type(error).__name__}: {error}")
        return json.dumps({"ok": True, "started": not already, **await status()}).encode()

    @router.subscriber(REBUILD_STATUS)
    async def rebuild_status(msg: NatsMessage) -> bytes:
        return json.dumps({"ok": True, **await status()}).encode()

    @router.subscriber(REPLAY)
    async def replay(msg: NatsMessage) -> bytes:
        names = _names(projector, msg.body)
        if isinstance(names, str):
            return _refused(names)
        try:
            await rebuilds.start(names)
            await rebuilds.wait()
        except RuntimeError as error:
            return _refused(str(error))
        return json.dumps({"ok": True, "reports": rebuilds.status()["reports"]}).encode()

    return router
