"""What the HTTP API refuses before a command is even read: bodies too large for NATS (413).

A command travels to its service as one NATS message, so a body larger than the server's
max_payload could never be delivered: it is refused as it arrives, before it is parsed, with the
limit in the message.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.errors import error_response

COMMANDS = "/commands/"


def too_large(limit: int) -> JSONResponse:
    return error_response(413, f"the body is larger than {limit} bytes, the most a command may be "
                               "(the NATS server's max_payload)")


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

