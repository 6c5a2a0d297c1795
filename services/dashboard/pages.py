"""The pages of signing in and out, the language switch and an office's home: KPI cards, the
direct sub-regions to drill down into, charts and the work lists the running API offers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from services.dashboard.client import Client, end_session, keep_session, token_of
from services.dashboard.forms import FORMS
from services.dashboard.guard import same_origin_form
from services.dashboard.i18n import COOKIE, LANGUAGES
from services.api.proposals import PATH as PROPOSALS
from services.dashboard.reads import month_before, year_series
from services.dashboard.render import Operator, operator, page, problem, translator
from services.dashboard.lists import LISTS
from services.dashboard.home import report_months, subregion_table
from services.dashboard.view import breadcrumbs, cards, chart_data, region_or_none, safe_next

YEAR = 365 * 24 * 3600
FAVICON = Path(__file__).parent / "static" / "favicon.ico"


router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin_form)])  # no forged form


@router.get("/login")
async def login_form(request: Request, next: str = "/", expired: int = 0, out: int = 0) -> Response:
    notice = "login.expired" if expired else "login.signed_out" if out else None
    return page(request, "login.html", next=safe_next(next), notice=notice, error=None, who=None)


@router.post("/login")
async def login(request: Request, client: Client, username: str = Form(""), password: str = Form(""),
                next: str = Form("/")) -> Response:
    answer = await client.sign_in(username, password)
    if answer.ok:
        response = RedirectResponse(safe_next(next), status_code=303)
        keep_session(response, request, answer.body["access_token"], int(answer.body["expires_in"]))
        return response
    t = translator(request)
    error = (t.gettext("login.locked", seconds=answer.body.get("retry_after") or "60") if answer.status == 429
             else t.gettext("login.refused") if answer.status in (401, 422) else t.gettext("login.unavailable"))
    return page(request, "login.html", status=answer.status if answer.status != 422 else 401,
                next=safe_next(next), notice=None, error=error, who=None, username=username)


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login?out=1", status_code=303)
    end_session(response)
    return response


@router.get("/favicon.ico")
async def favicon() -> Response:
    """What a browser asks every site for (else a 404 in every page's log)."""
    return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})


@router.get("/lang/{lang}")
async def language(lang: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=YEAR, samesite="lax", path="/")
    return response


@router.get("/")
async def home(request: Request, client: Client) -> Response:
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    return RedirectResponse(f"/r/{who.office.code}", status_code=303)


@router.get("/r/{code}")
async def region(request: Request, client: Client, code: str, sort: str = "", desc: int = 1) -> Response:
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    place = region_or_none(code)
    if place is None:
        return problem(request, 404)
    stats = await client.get(who.token, f"/regions/{code}/stats")
    if not stats.ok:
        return problem(request, stats.status, stats.message)
    t = translator(request)
    before = await month_before(client, who.token, code, stats.body)  # for each card's change
    series = await year_series(client, who.token, code)
    drawn = chart_data(stats.body, series, t)
    lists = [(name, spec.label) for name, spec in LISTS.items() if client.has(spec.path)]
    return page(request, "region.html", who=who, stats=stats.body, code=code,
                crumbs=breadcrumbs(who.office, place, t), cards=cards(stats.body, t, before),
                lists=lists, forms=list(FORMS) if "caseworker" in who.roles else [],
                approvals=client.has(PROPOSALS) and "approver" in who.roles,  # deciding is approvers' alone
                table=subregion_table(stats.body, t, sort, bool(desc)), report_months=report_months(date.today()),
                charts=json.dumps(drawn, ensure_ascii=False), chart_names=set(drawn),
                chart_titles={name: spec["title"] for name, spec in drawn.items()},
                live=bool(token_of(request)))


@router.get("/r/{code}/report")
async def report(request: Request, client: Client, code: str, month: str = "", format: str = "xlsx") -> Response:
    """The month's report of the region, as the API writes it (its checks and refusals are the API's)."""
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    if region_or_none(code) is None:
        return problem(request, 404)
    reply = await client.download(who.token, f"/regions/{code}/report", month=month, format=format)
    if reply.status_code != 200:
        body = reply.json() if reply.headers.get("content-type", "").startswith("application/json") else {}
        return problem(request, reply.status_code, str(body.get("message") or body.get("detail") or reply.status_code))
    kept = {k: v for k, v in reply.headers.items() if k in ("content-type", "content-disposition")}
    return Response(reply.content, headers={**kept, "Cache-Control": "no-store"})
