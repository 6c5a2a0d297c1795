"""Operator requests to the projection service over NATS: where it stands, rebuilds, and the events
the read models parked.

`rebuild` starts a rebuild into shadow tables (or resumes one stopped midway) and answers at once;
`rebuild.status` says how far it has come. The live read models keep serving and following the log
meanwhile. `replay` is the same rebuild, answered only when it is done (for `aixin bench`).
`parked.retry` applies parked events again (`{"projections": [...], "aggregate": "TYPE:ID"}`, both
optional); `parked.skip` records in the log that an operator drops one (`{"projection", "seq",
"reason", "actor"}`) and answers once it is gone and what was held behind it applied again.
"""

from __future__ import annotations

import json

from faststream.nats import NatsMessage, NatsRouter

from pydantic import ValidationError

from contracts.envelope import Actor
from contracts.subjects import ADMIN_ROOT
from services.shared.follower.projector import Projector
from services.shared.eventlog import EventLog

POSITION = f"{ADMIN_ROOT}.projections.position"
REPLAY = f"{ADMIN_ROOT}.projections.replay"
REBUILD = f"{ADMIN_ROOT}.projections.rebuild"
REBUILD_STATUS = f"{ADMIN_ROOT}.projections.rebuild.status"
RETRY = f"{ADMIN_ROOT}.projections.parked.retry"
SKIP = f"{ADMIN_ROOT}.projections.parked.skip"


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

    @router.subscriber(RETRY)
    async def retry(msg: NatsMessage) -> bytes:
        names = _names(projector, msg.body)
        if isinstance(names, str):
            return _refused(names)
        aggregate = json.loads(msg.body or b"{}").get("aggregate")
        held = tuple(aggregate.split(":", 1)) if isinstance(aggregate, str) and ":" in aggregate else None
        if aggregate is not None and held is None:
            return _refused(f"an aggregate is TYPE:ID (e.g. child:c-1), not {aggregate!r}")
        return json.dumps({"ok": True, **await projector.retry(names, held)}).encode()

    @router.subscriber(SKIP)
    async def skip(msg: NatsMessage) -> bytes:
        try:
            asked = json.loads(msg.body or b"{}")
            actor = Actor.model_validate(asked.get("actor"))
            name, seq, reason = asked["projection"], int(asked["seq"]), str(asked["reason"])
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError) as error:
            return _refused(f"bad request: {error}")
        try:
            return json.dumps({"ok": True, **await projector.skip(name, seq, reason, actor)}).encode()
        except (LookupError, PermissionError, ValidationError) as error:
            return _refused(str(error))
        except TimeoutError:
            return _refused("the skip is in the log, but the read models have not applied it yet; "
                            "'aixin doctor' shows when they have")

    return router
