"""Rendering a page: the Jinja2 templates, the language of the request, who is signed in (or a
redirect to the sign-in page, the session cookie cleared when its token has expired), and headers
that keep the page to its own origin (no CDN, no framing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from contracts.regions import Region, parse_region
from services.api.headers import SECURITY_HEADERS as HEADERS
from services.dashboard.client import ApiClient, end_session, token_of
from services.dashboard.guard import form_token, keep_pre_session
from services.dashboard.i18n import COOKIE, Translator, language_of
from services.dashboard.named import short

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(("html",)), trim_blocks=True, lstrip_blocks=True)
TEMPLATES.filters["short_id"] = short  # a person a role may not name, as the work lists show her
SECURITY_HEADERS = {**HEADERS, "Cache-Control": "no-store"}  # the server's own, and pages are not kept


def compile_templates() -> None:
    """Every template compiled at start: the first page of each kind paid some 50 ms a template."""
    for name in TEMPLATES.list_templates(extensions=("html",)):
        TEMPLATES.get_template(name)


def translator(request: Request) -> Translator:
    return Translator(language_of(request.cookies.get(COOKIE)))


def page(request: Request, template: str, status: int = 200, **context: object) -> HTMLResponse:
    t = translator(request)
    csrf, pre_session = form_token(request)  # what its forms carry (services.dashboard.guard)
    html = TEMPLATES.get_template(template).render(
        _=t.gettext, t=t, lang=t.lang, here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        csrf=csrf, **context)
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    if pre_session:
        keep_pre_session(response, request, pre_session)
    return response


@dataclass(frozen=True)
class Operator:
    token: str
    username: str
    office: Region
    roles: tuple[str, ...]


def to_sign_in(request: Request, reason: str | None = None) -> Response:
    target = f"/login?next={quote(request.url.path)}" + (f"&{reason}=1" if reason else "")
    response = RedirectResponse(target, status_code=303)
    if reason == "expired":
        end_session(response)
    return response


async def operator(request: Request, client: ApiClient) -> Operator | Response:
    """The signed-in operator, read from the API with her token; else a redirect to sign in."""
    token = token_of(request)
    if not token:
        return to_sign_in(request)
    me = await client.get(token, "/auth/me")
    if me.status == 401:
        return to_sign_in(request, "expired")
    if not me.ok:
        return problem(request, me.status, me.message)
    return Operator(token, me.body["username"], parse_region(me.body["office"]), tuple(me.body["roles"]))


def problem(request: Request, status: int, message: str = "", text: str | None = None) -> HTMLResponse:
    """An error page: `text` as it is (already in the page's language), else by the status."""
    t = translator(request)
    text = text or {403: t.gettext("error.forbidden"), 404: t.gettext("error.not_found")}.get(
        status, t.gettext("error.failed", message=message))
    return page(request, "problem.html", status=status, message=text, who=None)
