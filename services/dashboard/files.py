"""The files: a child's (一人一档), a volunteer's and a pair's pages, and the follow-up work sent from
the child's (services.dashboard.followup).

Each page reads the file through the API with the operator's token (GET /children|volunteers|
pairs/{id}/file): what her role may read comes opened, and the API writes each look at a child's
particulars to the access log. A child's page also reads the five ones (/pairs/compliance) of her
pairs for the last three months. The page says an action was done only after it was (`done` is set
by the redirect that follows a success), and offers actions only to those who may take them."""

from __future__ import annotations

import asyncio
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.dashboard.client import ApiClient, Client
from services.dashboard.file_view import child_file, pairs_of, timeline
from services.dashboard.followup import ACTIONS, Refused, body
from services.dashboard.forms import errors_of
from services.dashboard.guard import same_origin_form
from services.dashboard.organisation import team_line
from services.dashboard.recognition import awards_of
from services.dashboard.render import TEMPLATES, Operator, operator, page, problem, translator
from services.dashboard.wording import place

ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
MONTHS = 3  # the five ones of this month and the two before it
ACTING_ROLE = "caseworker"  # the everyday commands are hers (services.api.commands.role_for)

router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin_form)])  # no forged form
# Compiled as the dashboard starts, not on a caseworker's first look at a file (150 ms of its first page).
for _name in ("child_file.html", "pair_file.html", "volunteer_file.html"):
    TEMPLATES.get_template(_name)


async def read_file(request: Request, client: ApiClient, kind: str, the_id: str, who: Operator | None = None):
    """(operator, the file's answer), or (the page to answer instead, None): sign-in, 404, the API's refusal."""
    who = who or await operator(request, client)
    if not isinstance(who, Operator):
        return who, None
    if not set(the_id) <= ID_CHARS:
        return problem(request, 404), None
    answer = await client.get(who.token, f"/{kind}/{the_id}/file")
    if not answer.ok:
        return problem(request, answer.status, answer.message), None
    return who, answer.body


def _common(request: Request, who: Operator, answer: dict, done: str | None) -> dict:
    t = translator(request)
    return {"who": who, "personal": bool(answer.get("personal")), "events": timeline(answer, t),
            "place": place(answer.get("region"), t), "region": answer.get("region"),
            "can_act": ACTING_ROLE in who.roles, "done": done if done in ACTIONS else None,
            "people": {**answer.get("children", {}), **answer.get("volunteers", {})}}


@router.get("/child/{child_id}")
async def child(request: Request, client: Client, child_id: str, done: str = "") -> Response:
    return await child_page(request, client, None, child_id, done=done)


async def child_page(request: Request, client: ApiClient, who: Operator | None, child_id: str, done: str = "",
                     refused: Refused | None = None, status: int = 200) -> Response:
    who, answer = await read_file(request, client, "children", child_id, who)
    if answer is None:
        return who
    t = translator(request)
    facts = child_file(answer, t)
    today = date.today()
    return page(request, "child_file.html", status=status, child_id=child_id, facts=facts,
                title=(facts.get("identity") or {}).get("name") or t.gettext("file.child"),
                five_ones=await five_ones(client, who, facts["pairs"], today, t), today=today.isoformat(),
                actions=ACTIONS, refused=refused, rematch=f"/r/{who.office.code}/pairing/child/{child_id}",
                **_common(request, who, answer, None if refused else done))


async def five_ones(client: ApiClient, who: Operator, pairs: list, today: date, t) -> list[dict]:
    """For each of the last MONTHS months (newest first), each active pair's rules and how each stands:
    the months and the pairs' regions read at once, not one after another."""
    active = {p.id: p.facts.get("region") for p in pairs if p.status in ("active", "ended") and p.facts.get("region")}
    asked = [(_month(today, back), region) for back in range(MONTHS) for region in dict.fromkeys(active.values())]
    answers = await asyncio.gather(*(client.get(who.token, "/pairs/compliance", region=region, month=month)
                                     for month, region in asked))
    shown = []
    for (month, _), answer in zip(asked, answers, strict=True):
        for report in answer.body.get("pairs", []) if answer.ok else []:
            if report.get("pair_id") in active:
                shown.append({"month": month, "pair_id": report["pair_id"], "rules": [
                    (t.label(f"rule.{r['rule']}", r.get("label", r["rule"])), r["status"],
                     t.gettext(f"file.status.{r['status']}")) for r in report.get("rules", [])]})
    return shown


def _month(today: date, back: int) -> str:
    """The month `back` months before today's, as 2026-05."""
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f"{year:04d}-{month + 1:02d}"


@router.get("/volunteer/{volunteer_id}")
async def volunteer(request: Request, client: Client, volunteer_id: str) -> Response:
    who, answer = await read_file(request, client, "volunteers", volunteer_id)
    if answer is None:
        return who
    t = translator(request)
    name = answer.get("volunteers", {}).get(volunteer_id)
    return page(request, "volunteer_file.html", volunteer_id=volunteer_id, name=name,
                title=name or t.gettext("file.volunteer"), pairs=pairs_of(answer, t), awards=awards_of(answer),
                team=await team_line(client, who.token, answer), **_common(request, who, answer, None))


@router.get("/pair/{pair_id}")
async def pair(request: Request, client: Client, pair_id: str) -> Response:
    who, answer = await read_file(request, client, "pairs", pair_id)
    if answer is None:
        return who
    t = translator(request)
    found = pairs_of(answer, t)
    return page(request, "pair_file.html", pair_id=pair_id, pair=found[0] if found else None,
                title=t.gettext("file.pair"), actions=ACTIONS, refused=None, today=date.today().isoformat(),
                **_common(request, who, answer, None))


@router.post("/child/{child_id}/do/{name}")
async def act(request: Request, client: Client, child_id: str, name: str) -> Response:
    """One follow-up action of the child's page, sent as its command (services.dashboard.followup)."""
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    if name not in ACTIONS or not set(child_id) <= ID_CHARS:
        return problem(request, 404)
    action, form = ACTIONS[name], await request.form()
    target = child_id if action.target == "child_id" else str(form.get("target", ""))
    if not target or not set(target) <= ID_CHARS:
        return problem(request, 404)
    typed = {key: str(value) for key, value in form.items() if key not in action.lists}
    ticked = {key: [str(v) for v in form.getlist(key)] for key in action.lists}
    answer = await client.post(who.token, action.command, body(action, target, typed, ticked))
    if answer.ok:
        return RedirectResponse(f"/child/{child_id}?done={name}#{name}-{target}", status_code=303)
    errors, error = errors_of(answer.status, answer.body, (*action.fields, *action.lists), translator(request))
    refused = Refused(name, target, {**typed, **ticked}, errors, error)
    return await child_page(request, client, who, child_id, refused=refused,
                            status=answer.status if answer.status >= 400 else 422)

