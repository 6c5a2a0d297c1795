"""The API's word when the event log cannot be reached: a clear 503 at once, never a timeout.

A command sent while the NATS connection is down is refused before it is sent; one in flight when
the connection drops is answered as soon as the drop is seen (within `LOOK_EVERY`), not after the
command timeout. Either may have been appended before the drop: the client retries with the same
`Idempotency-Key`, and the log stores it once.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from services.api.deps import Log, Nats
from services.api.schemas import Health, read

UNAVAILABLE = "the event log is unavailable, retry"
LOOK_EVERY = 0.25  # seconds between looks at the connection while a command is in flight
RESEND_AFTER = 5.0  # seconds without an answer after which a command is sent once more


def unavailable() -> HTTPException:
    return HTTPException(503, UNAVAILABLE, headers={"Retry-After": "1"})


async def request_while_connected(nc, subject: str, payload: bytes, timeout: float,
                                  resend_after: float | None = RESEND_AFTER):
    """The command's answer; sent once more if none came within `resend_after`. On a cluster a
    request or its answer may be lost with a node that dies (core NATS keeps neither), and would be
    awaited for the whole timeout. The command id in the payload makes the second sending store
    nothing twice; whichever answer comes first is taken. None: sent once (a command whose work
    takes long)."""
    if not nc.is_connected:
        raise unavailable()
    loop = asyncio.get_running_loop()
    started, reconnects = loop.time(), nc.stats["reconnects"]
    requests = [asyncio.ensure_future(nc.request(subject, payload, timeout=timeout))]
    try:
        while True:
            done, _ = await asyncio.wait(requests, timeout=LOOK_EVERY, return_when=asyncio.FIRST_COMPLETED)
            if done:
                return done.pop().result()
            if not nc.is_connected or nc.stats["reconnects"] != reconnects:  # its answer went with the server
                raise unavailable()
            waited = loop.time() - started
            if resend_after is not None and len(requests) == 1 and waited >= resend_after:
                requests.append(asyncio.ensure_future(nc.request(subject, payload, timeout=timeout - waited)))
    finally:
        for request in requests:
            request.cancel()


async def log_health(nc, event_log) -> tuple[int, dict]:
    """/health: 200 with the log's position, or 503 saying what is down; never an error."""
    if not nc.is_connected:
        return 503, {"status": "unavailable", "down": ["nats"], "reason": UNAVAILABLE}
    try:
        last = await asyncio.wait_for(event_log.last_sequence(), 2.0)
    except Exception as error:  # connected, but JetStream does not answer (still recovering)
        return 503, {"status": "unavailable", "down": ["jetstream"],
                     "reason": f"the event log does not answer ({type(error).__name__}), retry"}
    return 200, {"status": "ok", "nats": True, "stream_last_seq": last}


router = APIRouter(tags=["operations"])


@router.get("/health", **read(Health), responses={503: {"description": "what is down, and why"}})
async def health(nc: Nats, event_log: Log) -> JSONResponse:
    status, body = await log_health(nc, event_log)
    return JSONResponse(body, status_code=status)
