"""The work lists (filtered, paged, exported as CSV or XLSX; tiers named, red first) and the look-up
of a child by id (her file is services.dashboard.files'). What a list holds, and whether names are in
it, is the API's to decide for the caller's role: these pages show what it answers, and the API
writes each reading of personal data to the access log."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.api.figures_report import REPORT_FORMATS, table_file
from services.dashboard.client import ApiClient, Client
from services.dashboard.lists import LISTS, BadFilter, chosen, filter_choices, read, read_all
from services.dashboard.named import named_file, named_table
from services.dashboard.render import Operator, operator, page, problem, translator
from services.dashboard.view import PAGE, breadcrumbs, by_tier, paging, region_or_none, table

ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


router = APIRouter(include_in_schema=False)


@router.get("/r/{code}/work/{name}")
async def work_list(request: Request, client: Client, code: str, name: str, offset: int = Query(0, ge=0, le=10_000_000)
                    ) -> Response:
    found = await list_asked(request, client, code, name)
    if isinstance(found, Response):
        return found
    who, place, spec, how = found
    got = await read(client, who.token, spec, code, how, offset, PAGE)
    if not got.answer.ok:
        return problem(request, got.answer.status, got.answer.message)
    t = translator(request)
    stats = await client.get(who.token, f"/regions/{code}/stats")  # the sub-regions to filter by
    subs = [(r["region"], r["name"]) for r in (stats.body.get("subregions", []) if stats.ok else [])
            if r.get("region") != place.code]
    if how.within and how.within not in dict(subs):
        subs.append((how.within, how.within))
    return page(request, "work.html", who=who, code=code, name=name, title=t.gettext(spec.label),
                crumbs=breadcrumbs(who.office, place, t), table=named_table(by_tier(got.rows), t),
                paging=paging(offset, len(got.rows), PAGE, got.total), how=how, subregions=subs,
                filters=filter_choices(spec, t), formats=tuple(REPORT_FORMATS))


@router.get("/r/{code}/work/{name}/export")
async def export(request: Request, client: Client, code: str, name: str, format: str = "csv") -> Response:
    """The list as filtered, whole, as a file written by the read-side reports' writer; read
    through the API with her token, so every name in it is in the access log as on the page."""
    found = await list_asked(request, client, code, name)
    if isinstance(found, Response):
        return found
    who, place, spec, how = found
    if format not in REPORT_FORMATS:
        return problem(request, 422, text=translator(request).gettext("error.bad_filter", message=f"format={format}"))
    got = await read_all(client, who.token, spec, code, how)
    if not got.answer.ok:
        return problem(request, got.answer.status, got.answer.message)
    t = translator(request)
    headers, lines = named_file(by_tier(got.rows), t)
    content = table_file(format, t.gettext(spec.label), headers, lines)
    filename = f"aixin-{name}-{how.within or place.code}.{format}"
    return Response(content, media_type=REPORT_FORMATS[format],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


async def list_asked(request: Request, client: ApiClient, code: str, name: str):
    """(operator, region, list, filters) of a work list's request, or the page to answer instead:
    sign-in, 404 for a list or region there is not, 422 for a filter it cannot take."""
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    place = region_or_none(code)
    if name not in LISTS or place is None or not client.has(LISTS[name].path):
        return problem(request, 404)
    try:
        how = chosen(LISTS[name], place, request.query_params)
    except BadFilter as error:
        return problem(request, 422, text=translator(request).gettext("error.bad_filter", message=str(error)))
    return who, place, LISTS[name], how


@router.get("/child")
async def find_child(id: str = "") -> Response:
    target = f"/child/{id.strip()}" if id.strip() and set(id.strip()) <= ID_CHARS else "/"
    return RedirectResponse(target, status_code=303)
