"""The headers every response of the HTTP server carries — API answers, the dashboard's pages,
/docs, /openapi.json, /asyncapi.json, static assets, redirects and refusals alike: a content
security policy that loads nothing from elsewhere and lets no other page frame ours, no MIME
sniffing, no framing (for browsers without frame-ancestors) and no full URL sent to other sites.

A response that sets one of them itself (the dashboard's pages, /docs with the hashes of its
inline scripts) keeps its own."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def csp_with_scripts(*hashes: str) -> str:
    """The policy, with inline scripts of these sha256 hashes (base64) allowed and no other."""
    allowed = " ".join(f"'sha256-{h}'" for h in hashes)
    return CSP.replace("default-src 'self';", f"default-src 'self'; script-src 'self' {allowed};", 1)


class SecurityHeaders:
    """ASGI middleware: each header of SECURITY_HEADERS the response does not set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
