"""Forms that cannot be forged: every state-changing request to the dashboard (signing in and out,
the everyday forms, the approvers' decisions) must come from one of its own pages.

Two checks, before the form is acted on. Its Origin (or, without one, its Referer) must be the
dashboard's own host: a page on another site — or on another port of the same host, which the
browser counts as the same site and so sends even a SameSite=Strict cookie to — is refused. And
it must carry the token its page was rendered with in the hidden field `csrf`: a keyed digest of
the session cookie (the signed-in operator's token), or before signing in, of a random pre-session
cookie (a signed double submit). Neither can be read or made by another origin's page. A refusal is
a page in the dashboard's language (403), not an act. Behind a reverse proxy, the proxy must pass the
Host the browser used (nginx: `proxy_set_header Host $host;`), or every form is refused."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from services.dashboard.client import token_of

FIELD = "csrf"
PRE_SESSION = "aixin_presession"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN = "/login"
_PROCESS_KEY = secrets.token_hex(32)  # without an account service (no one can sign in then)


class Forged(Exception):
    """A state-changing request that no page of the dashboard sent."""


def _mac(request: Request, purpose: str, value: str) -> str:
    accounts = getattr(request.app.state, "accounts", None)
    if accounts is not None:
        return accounts.tokens.mac(f"dashboard form {purpose}", value)
    return hmac.new(_PROCESS_KEY.encode(), f"{purpose}\0{value}".encode(), "sha256").hexdigest()


def form_token(request: Request) -> tuple[str, str | None]:
    """The token the page's forms carry, and a new pre-session cookie's value to set (None if the
    request has one already, or a session)."""
    session = token_of(request)
    if session:
        return _mac(request, "session", session), None
    nonce = request.cookies.get(PRE_SESSION)
    fresh = None if nonce else secrets.token_urlsafe(32)
    return _mac(request, "pre-session", nonce or fresh), fresh


def keep_pre_session(response: Response, request: Request, nonce: str) -> None:
    response.set_cookie(PRE_SESSION, nonce, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def _foreign(request: Request) -> bool:
    """Whether the request says it comes from another host (or port) than the one it was sent to."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return False  # neither sent (a privacy setting): the token alone decides
    own = request.headers.get("host", "")
    return source == "null" or urlsplit(source).netloc != own


async def same_origin_form(request: Request) -> None:
    """A dependency of the dashboard's routers: Forged unless a state-changing request comes from
    the dashboard's own page, with its token."""
    if request.method in SAFE:
        return
    if _foreign(request):
        raise Forged("from another origin")
    accepted = []
    if session := token_of(request):
        accepted.append(_mac(request, "session", session))
    if request.url.path == SIGN_IN and (nonce := request.cookies.get(PRE_SESSION)):
        accepted.append(_mac(request, "pre-session", nonce))  # a sign-in page opened before a session
    if not accepted:
        if request.url.path == SIGN_IN:
            raise Forged("signing in without the sign-in page's cookie")
        return  # no session: nothing can be done as anyone; the page sends her to sign in
    sent = str((await request.form()).get(FIELD, ""))
    if not any(hmac.compare_digest(sent.encode(), token.encode()) for token in accepted):
        raise Forged("without its page's token")
