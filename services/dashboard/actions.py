"""The pages that act: the everyday forms and the approvers' work list of pending proposals. Each
POST is handled here and sent on as the command over the API, with the operator's token (the API
names her the actor and the services decide whether she may). A refusal re-renders the page with
what she typed and the messages next to the fields; success redirects (POST, redirect, GET).
A POST from another origin, or without its page's token, is refused (services.dashboard.guard)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.dashboard.client import ApiClient, Client
from services.dashboard.find import picked_names, picking
from services.dashboard.forms import FORMS, REJECT_REASONS, body_of, created_id, errors_of
from services.dashboard.guard import same_origin_form
from services.dashboard.places import place_choices
from services.dashboard.pairing_words import explanations
from services.api.proposals import PATH as PROPOSALS
from services.api.pairing_reads import REASONS as PROPOSAL_REASONS
from services.dashboard.render import Operator, operator, page, problem, translator
from services.dashboard.view import breadcrumbs, region_or_none
from services.dashboard.work import ID_CHARS


router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin_form)])  # no forged form


async def signed_in_at(request: Request, client: ApiClient, code: str) -> tuple[Operator, object] | Response:
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    place = region_or_none(code)
    if place is None:
        return problem(request, 404)
    return who, place


def form_page(request: Request, who: Operator, place, code: str, name: str, values: dict, status: int = 200,
              errors: dict | None = None, error: str | None = None, done: str | None = None,
              picked: dict | None = None, about: dict | None = None) -> Response:
    t = translator(request)
    return page(request, "form.html", status=status, who=who, code=code, form=FORMS[name], values=values,
                errors=errors or {}, error=error, done=done, about=about, crumbs=breadcrumbs(who.office, place, t),
                picked=picked or {}, pick_field=picking(name), places=place_choices(code),
                title=t.gettext(f"form.{name}"))


@router.get("/r/{code}/forms/{name}")
async def blank(request: Request, client: Client, code: str, name: str, done: str | None = None) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    if name not in FORMS:
        return problem(request, 404)
    if "caseworker" not in found[0].roles:  # the everyday commands are a caseworker's: no form she cannot send
        return problem(request, 403, text=translator(request).gettext("error.caseworkers_form"))
    today = date.today().isoformat()
    values = {"region": code, "birth_date": "", "visited_on": today, "raised_on": today}
    # A child, pair or volunteer picked by name (services.dashboard.find): her id filled in, her name shown.
    field = picking(name)
    if field and (chosen := request.query_params.get(field, "")) and set(chosen) <= ID_CHARS:
        values[field] = chosen
    picked = await picked_names(client, found[0].token, {**request.query_params, field or "": values.get(field or "")})
    # Done only when the redirect after a success says so (`done` present, perhaps empty), never on a fresh load.
    shown = done if done is not None and set(done) <= ID_CHARS else None
    about = None if shown is None else await done_for(client, found[0].token, request.query_params, translator(request))
    return form_page(request, *found, code, name, values, done=shown, picked=picked, about=about)


def subject_of(form_name: str, typed: dict[str, str], made: str) -> str:
    """Whom a form's success was for, as the redirect's query: the child (the one registered, or
    the one the form named) or the pair a visit was logged for, so the notice can link her file."""
    child = made if FORMS[form_name].created == "child_id" else typed.get("child_id", "").strip()
    if child and set(child) <= ID_CHARS:
        return f"&for_child={quote(child)}"
    pair = typed.get("pair_id", "").strip()
    return f"&for_pair={quote(pair)}" if pair and set(pair) <= ID_CHARS else ""


async def done_for(client: ApiClient, token: str, params, t) -> dict | None:
    """The notice's link to what was just done for: her file by her name (read through the API, which
    logs it), or by what it is while her name cannot be read yet; never her id as its words."""
    child, pair = params.get("for_child", ""), params.get("for_pair", "")
    if child and set(child) <= ID_CHARS:
        answer = await client.get(token, f"/children/{child}")
        name = answer.body.get("name") if answer.ok and isinstance(answer.body, dict) else None
        text = t.gettext("form.done_child", name=name) if name else t.gettext("form.done_file")
        return {"href": f"/child/{child}", "text": text}
    if pair and set(pair) <= ID_CHARS:
        return {"href": f"/pair/{pair}", "text": t.gettext("form.done_pair")}
    return None


@router.post("/r/{code}/forms/{name}")
async def submit(request: Request, client: Client, code: str, name: str) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    if name not in FORMS:
        return problem(request, 404)
    form, typed = FORMS[name], {k: str(v) for k, v in (await request.form()).items()}
    answer = await client.post(found[0].token, form.command, body_of(form, typed))
    if answer.ok:
        made = created_id(answer.body, form) or ""
        return RedirectResponse(f"/r/{code}/forms/{name}?done={quote(made)}{subject_of(name, typed, made)}",
                                status_code=303)
    errors, error = errors_of(answer.status, answer.body, tuple(f.name for f in form.fields), translator(request))
    return form_page(request, *found, code, name, typed, status=answer.status if answer.status >= 400 else 422,
                     errors=errors, error=error)


async def approvals_page(request: Request, client: ApiClient, who: Operator, place, code: str, status: int = 200,
                         error: str | None = None, done: str | None = None, decided: str = "") -> Response:
    answer = await client.get(who.token, PROPOSALS.replace("{code}", code))
    if not answer.ok:
        return problem(request, answer.status, answer.message)
    t = translator(request)
    proposals = [p for p in answer.body.get("proposals", []) if p.get("pair_id") != decided]
    # Each card's score and reasons, as the proposer read them among the suggestions.
    why = await client.get(who.token, PROPOSAL_REASONS.replace("{code}", code))
    return page(request, "approvals.html", status=status, who=who, code=code, error=error, done=done,
                reasons=REJECT_REASONS,  # the one just decided is gone, though the read model may trail
                proposals=proposals, explained=explanations(why.body if why.ok else {}, proposals, t),
                approves="approver" in who.roles, crumbs=breadcrumbs(who.office, place, t))


@router.get("/r/{code}/approvals")
async def approvals(request: Request, client: Client, code: str, done: str = "", pair: str = "") -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    if not client.has(PROPOSALS):
        return problem(request, 404)
    return await approvals_page(request, client, *found, code, done=done if done in ("approved", "rejected") else None,
                                decided=pair)


@router.post("/r/{code}/approvals/{pair_id}")
async def decide(request: Request, client: Client, code: str, pair_id: str) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    if not client.has(PROPOSALS) or not set(pair_id) <= ID_CHARS:
        return problem(request, 404)
    typed = await request.form()
    approve = typed.get("decision") == "approve"
    body = {"pair_id": pair_id} if approve else {"pair_id": pair_id, "reason": str(typed.get("reason", ""))}
    answer = await client.post(found[0].token, f"/commands/pairing/{'approve' if approve else 'reject'}_pair", body)
    if answer.ok:
        outcome = "approved" if approve else "rejected"
        return RedirectResponse(f"/r/{code}/approvals?done={outcome}&pair={pair_id}", status_code=303)
    _, error = errors_of(answer.status, answer.body, (), translator(request))
    return await approvals_page(request, client, *found, code, status=answer.status, error=error)
