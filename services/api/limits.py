"""What the HTTP API refuses before a command is even read: bodies too large for NATS (413), and
validation errors whose echoed input cannot itself be written as JSON.

A command travels to its service as one NATS message, so a body larger than the server's
max_payload could never be delivered: it is refused as it arrives, before it is parsed, with the
limit in the message. FastAPI's 422 echoes each refused value; a NaN or a lone surrogate cannot be
written as strict UTF-8 JSON, and the error reply itself would fail with a 500 — so such values are
echoed as their repr.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMANDS = "/commands/"


def too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": f"the body is larger than {limit} bytes, the most a command may be "
                                   "(the NATS server's max_payload)"}, status_code=413)


class CommandBodyLimit:
    """ASGI middleware: a POST to /commands/... whose body exceeds `limit()` bytes gets 413."""

    def __init__(self, app: ASGIApp, limit: Callable[[], int]) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(COMMANDS):
            return await self.app(scope, receive, send)
        limit = self.limit()
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await too_large(limit)(scope, receive, send)
        # Read the body here (it is at most `limit` bytes), then hand it on as one message.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await too_large(limit)(scope, receive, send)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


def _writable(value: Any) -> Any:
    """`value` if strict JSON (UTF-8, finite numbers) can hold it, else its repr, cut to 200 chars."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
        return value
    except (ValueError, TypeError, UnicodeEncodeError, RecursionError):
        text = repr(value) if not isinstance(value, float) or not math.isnan(value) else "NaN"
        return text[:200]


async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, with each echoed input and context made writable."""
    details = []
    for item in jsonable_encoder(error.errors()):
        item = dict(item)
        for key in ("input", "ctx"):
            if key in item:
                item[key] = _writable(item[key])
        details.append(item)
    return JSONResponse({"detail": details}, status_code=422)
