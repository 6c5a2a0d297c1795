"""The work lists (filtered, paged, exported as CSV or XLSX; tiers named, red first) and the
timelines of a child and of a pair. What a list or a history holds, and whether names are in it, is the API's to decide for the caller's role: these
pages show what it answers, and the API writes each reading of personal data to the access log."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.api.figures_report import REPORT_FORMATS, table_file
from services.dashboard.client import ApiClient, Client
from services.dashboard.lists import LISTS, BadFilter, chosen, file_table, filter_choices, read, read_all
from services.dashboard.named import named_table
from services.dashboard.render import Operator, operator, page, problem, translator
from services.dashboard.view import PAGE, breadcrumbs, by_tier, cell, paging, region_or_none, table

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
    headers, lines = file_table(by_tier(got.rows), t)
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


async def history_of(request: Request, client: ApiClient, aggregate_type: str, aggregate_id: str):
    """The signed-in operator and the aggregate's history as the API gives it to her — or, as
    the first of the pair, the page to answer instead (sign-in, 404, the API's refusal)."""
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who, None
    if not set(aggregate_id) <= ID_CHARS:
        return problem(request, 404), None
    answer = await client.get(who.token, f"/history/{aggregate_type}/{aggregate_id}")
    if not answer.ok:
        return problem(request, answer.status, answer.message), None
    return who, answer.body.get("events", [])


def timeline(request: Request, who: Operator, history: list[dict]) -> dict:
    t = translator(request)
    return {"who": who, "events": [timeline_entry(event, t) for event in history],
            "personal": any(role in ("caseworker", "approver") for role in who.roles)}


@router.get("/child/{child_id}")
async def child(request: Request, client: Client, child_id: str) -> Response:
    who, history = await history_of(request, client, "child", child_id)
    if history is None:
        return who
    shown = timeline(request, who, history)
    # Her name from the children's directory (the history keeps it sealed); the API logs the read.
    on_file = await client.get(who.token, f"/children/{child_id}") if shown["personal"] else None
    name = on_file.body.get("name") if on_file is not None and on_file.ok else None
    return page(request, "child.html", child_id=child_id, name=name, **shown)


@router.get("/pair/{pair_id}")
async def pair(request: Request, client: Client, pair_id: str) -> Response:
    """A pair's timeline (proposed, approved, visits, ended…) from its history, as the child's."""
    who, history = await history_of(request, client, "pair", pair_id)
    if history is None:
        return who
    return page(request, "pair.html", pair_id=pair_id, children=children_named(history),
                **timeline(request, who, history))


def children_named(history: list[dict]) -> list[str]:
    """The ids of the children a pair's events name (to link to their timelines), in order."""
    found: list[str] = []
    for event in history:
        data = event.get("data") if isinstance(event.get("data"), dict) else {}
        ids = list(data.get("child_ids") or []) + ([data["child_id"]] if data.get("child_id") else [])
        for child in ids:
            if isinstance(child, dict):
                child = child.get("child_id")
            if isinstance(child, str) and set(child) <= ID_CHARS and child not in found:
                found.append(child)
    return found


def timeline_entry(event: dict, t) -> dict:
    """One event of a history as a row: its type, when, who acted (and at what level), where, what."""
    actor = event.get("recorded_by") or event.get("actor") or {}
    if isinstance(actor, dict):
        by = actor.get("username") or actor.get("operator_id") or ""
        if actor.get("role"):
            by = f"{by} · {actor['role']}"
    else:
        by = str(actor)
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    payload = {key: value for key, value in data.items() if value not in (None, "", [], {})}
    # The type by its label in the page's language (its class name kept for the markup), the time
    # in China time: operators read neither English class names nor UTC.
    kind, at = str(event.get("event_type") or ""), str(event.get("occurred_at") or "")
    return {"type": t.event(kind), "event_type": kind, "when": t.moment(at), "at": at,
            "by": by, "region": event.get("region", ""), "details": cell(payload, t)}
