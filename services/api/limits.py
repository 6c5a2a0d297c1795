"""What the HTTP server refuses before a body is read: a body larger than its route's class allows
(413), and a body sent to a route that needs a token without a valid one (401).

The size is checked on the declared Content-Length before a byte of the body is read, and counted
as it arrives when none is declared; the token (signature and expiry, no database) before the body
too, so that nobody unknown makes the server read megabytes. A command travels to its service as
one NATS message, so the commands' limit is the NATS server's max_payload; the other classes are
sized by what their forms and JSON can hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.accounts.errors import SignInRefused
from services.api.errors import error_response

KIB = 1024
COMMAND_LIMIT = "the most a command may be (the NATS server's max_payload)"


@dataclass(frozen=True)
class RouteClass:
    name: str
    prefixes: tuple[str, ...]
    limit: int | None  # bytes; None: the NATS server's max_payload
    needs_token: bool
    why: str = "the most this route takes"


ROUTE_CLASSES = (
    RouteClass("commands", ("/commands/",), None, needs_token=True, why=COMMAND_LIMIT),
    RouteClass("accounts", ("/accounts",), 16 * KIB, needs_token=True),  # a password is 256 characters at most
    RouteClass("signing in", ("/auth/token", "/login", "/logout"), 16 * KIB, needs_token=False),
    RouteClass("dashboard forms", ("/r/",), 256 * KIB, needs_token=False),  # the session cookie: the page checks it
)
OTHER = RouteClass("other", (), 16 * KIB, needs_token=False)  # no other route reads a body


def route_class(path: str) -> RouteClass:
    return next((c for c in ROUTE_CLASSES if path.startswith(c.prefixes)), OTHER)


def too_large(limit: int, why: str = COMMAND_LIMIT) -> JSONResponse:
    return error_response(413, f"the body is larger than {limit} bytes, {why}")


def unauthenticated(message: str) -> JSONResponse:
    return error_response(401, f"{message}: this route needs 'Authorization: Bearer <token>' "
                               "(get one from POST /auth/token); the body was not read",
                          headers={"WWW-Authenticate": "Bearer"})


def _has_body(headers: dict[bytes, bytes]) -> bool:
    return headers.get(b"content-length", b"0") not in (b"0", b"") or b"transfer-encoding" in headers


def _token_refusal(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    """Why the request's bearer token is no good on its face (None: it may be), without a database."""
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "not signed in"
    accounts = getattr(scope["app"].state, "accounts", None) if "app" in scope else None
    if accounts is None:
        return None  # the route answers 503 itself
    try:
        accounts.tokens.username_of(token.strip())
    except SignInRefused as refused:  # expired or not valid: its message says which
        return str(refused)
    return None


class BodyLimits:
    """ASGI middleware: each request's body within its route class's limit, and no body read for a
    route that needs a token before the token is seen to be valid. `command_limit()` is read per
    request: the NATS server announces it on (re)connecting."""

    def __init__(self, app: ASGIApp, command_limit: Callable[[], int]) -> None:
        self.app, self.command_limit = app, command_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        if not _has_body(headers):
            return await self.app(scope, receive, send)
        kind = route_class(scope["path"])
        if kind.needs_token:
            if refused := _token_refusal(scope, headers):
                return await unauthenticated(refused)(scope, receive, send)
        limit = kind.limit if kind.limit is not None else self.command_limit()
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await too_large(limit, kind.why)(scope, receive, send)
        body = await _read(receive, limit)  # for a body of no declared length, or longer than declared
        if body is None:
            return await too_large(limit, kind.why)(scope, receive, send)
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read, as one message; then the client's own messages (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _read(receive: Receive, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` bytes or the client goes away: at most `limit`
    bytes are ever held."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)
