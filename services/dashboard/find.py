"""Finding a child or a volunteer by name, the way into her page and into the forms: the home page's
look-up, and each form's child, pair or volunteer field, lead here; a result picked for a form opens
it with the field filled in (her pair's, for a form that asks for a pair) and says whom it names.
The search is the API's (GET /regions/{code}/people): within the office's subtree, for the roles that
see names, every child found in the access log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.dashboard.client import ApiClient, Client
from services.dashboard.forms import FORMS
from services.dashboard.named import place, short
from services.dashboard.render import Operator, operator, page, problem, translator
from services.dashboard.view import breadcrumbs, region_or_none
from services.dashboard.work import ID_CHARS

KINDS = ("child", "volunteer")
PICKS = {"child_id": "child", "pair_id": "child", "volunteer_id": "volunteer"}  # a form's field -> whom it picks

router = APIRouter(include_in_schema=False)


def picking(use: str) -> str | None:
    """The field of form `use` that a search fills in: its first child, pair or volunteer field, but
    not the id of what it creates (a new child's)."""
    form = FORMS.get(use)
    return next((f.name for f in form.fields if f.name in PICKS and f.name != form.created), None) if form else None


def choices(person: dict, kind: str, code: str, use: str, t) -> list[tuple[str, str]]:
    """(text, link) of each way to use a person found in form `use`: her own id, or each of her pairs."""
    field = picking(use)
    if field is None or PICKS[field] != kind:
        return []
    if field == "pair_id":
        pairs = person.get("pair_ids") or []
        return [(t.gettext("find.use_pair", pair=short(pair)) if len(pairs) > 1 else t.gettext("find.use"),
                 f"/r/{code}/forms/{use}?pair_id={pair}&child_id={person['child_id']}") for pair in pairs]
    return [(t.gettext("find.use"), f"/r/{code}/forms/{use}?{field}={person[f'{kind}_id']}")]


@router.get("/r/{code}/find")
async def find(request: Request, client: Client, code: str, q: str = "", kind: str = "child", use: str = "") -> Response:
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    place_of_page = region_or_none(code)
    if place_of_page is None:
        return problem(request, 404)
    t = translator(request)
    field = picking(use)
    kind = PICKS[field] if field else kind if kind in KINDS else "child"
    found, complete = [], True
    if q.strip():
        answer = await client.get(who.token, f"/regions/{code}/people", q=q.strip()[:40], kind=kind)
        if not answer.ok:
            return problem(request, answer.status, answer.message)
        found, complete = answer.body.get("people", []), answer.body.get("complete", True)
    people = [{"name": p.get("name") or "", "href": f"/{kind}/{p[f'{kind}_id']}", "place": place(p.get("region", "")),
               "paired": bool(p.get("pair_ids")), "uses": choices(p, kind, code, use, t)} for p in found]
    return page(request, "find.html", who=who, code=code, q=q.strip(), kind=kind, use=use if field else "",
                people=people, complete=complete, crumbs=breadcrumbs(who.office, place_of_page, t),
                title=t.gettext("find.title_for", form=t.gettext(f"form.{use}")) if field else t.gettext("find.title"))


async def picked_names(client: ApiClient, token: str, params) -> dict[str, str]:
    """Whom the ids a form was opened with name (a child's name read through the API, which logs
    it): shown beside the fields a search filled in."""
    child_id = params.get("child_id") or ""
    if not child_id or not set(child_id) <= ID_CHARS:
        return {}
    answer = await client.get(token, f"/children/{child_id}")
    name = answer.body.get("name") if answer.ok and isinstance(answer.body, dict) else None
    return {field: name for field in ("child_id", "pair_id") if name and params.get(field)}
