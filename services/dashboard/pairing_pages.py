"""Pairing in the browser: the children of an office's subtree who wait for a pair (tiered first,
red to blue, then the not yet assessed; the longest waiting first within each), and one child's
page — her tier set with its reason, the volunteers suggested for her, each score explained in
words, and the proposal of one of them. Every child and volunteer is picked from a list, never
typed by id. Reads and commands go through the API with the operator's token (names only for the
roles that see them, each reading in the access log); the forms to act are shown only to the roles
that may send them (caseworkers). Batch proposals: services.dashboard.pairing_batch."""

from __future__ import annotations

import secrets
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from contracts.activity.concerns import RiskTier
from services.dashboard.actions import signed_in_at
from services.dashboard.client import Client
from services.dashboard.forms import errors_of
from services.dashboard.guard import same_origin_form
from services.dashboard.pairing_words import (child_row, passed_over, proposal_id, reasons, village_and_town,
                                              why_not)
from services.dashboard.render import Operator, page, problem, translator
from services.dashboard.view import PAGE, breadcrumbs, paging
from services.dashboard.work import ID_CHARS

UNPAIRED = "/regions/{code}/unpaired-children"
TOP = 5  # suggestions shown for a child
DONE = ("proposed", "tier")
TIER_FIELDS = ("tier", "reason")
router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin_form)])  # no forged form


def acts(who: Operator) -> bool:
    """Whether she may set tiers and propose pairs (the API would refuse anyone else)."""
    return "caseworker" in who.roles


@router.get("/r/{code}/pairing")
async def unpaired_list(request: Request, client: Client, code: str, offset: int = Query(0, ge=0, le=10_000_000),
                        done: str = "", child: str = "") -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    who, place = found
    answer = await client.get(who.token, UNPAIRED.replace("{code}", code), limit=PAGE, offset=offset)
    if not answer.ok:
        return problem(request, answer.status, answer.message)
    t, today = translator(request), date.today()
    rows = [child_row(row, t, today) for row in answer.body.get("children", [])]
    if done == "proposed":  # the read models trail the log a moment: her row says what was just sent for her
        rows = [{**row, "proposed": True} if row["child_id"] == child else row for row in rows]
    return page(request, "pairing_list.html", who=who, code=code, rows=rows, named=answer.body.get("named"),
                acts=acts(who), done=done if done in DONE else None, crumbs=breadcrumbs(who.office, place, t),
                paging=paging(offset, len(rows), PAGE, answer.body.get("total")))


async def child_page(request: Request, client: Client, code: str, child_id: str, status: int = 200,
                     error: str | None = None, typed: dict | None = None, done: str | None = None,
                     errors: dict | None = None, just_set: str | None = None) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    who, place = found
    if not set(child_id) <= ID_CHARS:
        return problem(request, 404)
    answer = await client.get(who.token, f"/children/{child_id}/suggestions", top=TOP)
    if not answer.ok:
        return problem(request, answer.status, answer.message)
    t, body = translator(request), answer.body
    profile = body.get("child") or {}
    village, town = village_and_town(str(profile.get("region", "")))
    child = child_row({**profile, "child_id": child_id, "name": body.get("child_name")}, t, date.today())
    if just_set:  # the read models trail the log a moment: the facts show the tier she has just set
        child["tier"] = just_set
    candidates = [{**c, "name": c.get("volunteer_name"), "terms": reasons(c, t)}
                  for c in body.get("candidates", [])]
    return page(request, "pairing_child.html", status=status, who=who, code=code, child=child, village=village,
                town=town, needs=[t.label(f"pairing.need.{n}", n) for n in profile.get("needs", [])],
                pairable=body.get("pairable", False), blocked=[why_not(b, t) for b in body.get("blocked", [])],
                passed=passed_over(body.get("passed_over") or {}, t), candidates=candidates,
                acts=acts(who), tiers=[tier.value for tier in RiskTier], error=error, errors=errors or {},
                typed=typed or {}, done=done, crumbs=breadcrumbs(who.office, place, t), nonce=secrets.token_hex(8),
                title=t.gettext("pairing.child.title", name=child["name"] or child_id))


@router.get("/r/{code}/pairing/child/{child_id}")
async def suggestions(request: Request, client: Client, code: str, child_id: str, done: str = "",
                      tier: str = "") -> Response:
    just_set = tier if done == "tier" and tier in {t.value for t in RiskTier} else None
    return await child_page(request, client, code, child_id, done=done if done in DONE else None, just_set=just_set)


@router.post("/r/{code}/pairing/child/{child_id}/tier")
async def set_tier(request: Request, client: Client, code: str, child_id: str) -> Response:
    """Her risk tier and why, as the caseworker chose them (AssessRisk)."""
    typed = {k: str(v).strip() for k, v in (await request.form()).items() if k in TIER_FIELDS}
    return await sent(request, client, code, child_id, "/commands/activity/assess_risk",
                      {"child_id": child_id, **{k: v for k, v in typed.items() if v}}, typed, "tier", TIER_FIELDS)


@router.post("/r/{code}/pairing/child/{child_id}/propose")
async def propose(request: Request, client: Client, code: str, child_id: str) -> Response:
    """The volunteer she chose among the suggestions, proposed for approval with the score shown."""
    form = await request.form()
    volunteer_id = str(form.get("volunteer_id", ""))
    body = {"child_ids": [child_id], "volunteer_ids": [volunteer_id], "mode": str(form.get("mode") or "one_to_one")}
    if pair_id := proposal_id(str(form.get("nonce", "")), child_id, volunteer_id):
        body["pair_id"] = pair_id  # the same form sent twice (a double click) is refused as done already
    if str(form.get("score", "")).isdigit():
        body["score"] = int(str(form["score"]))
    return await sent(request, client, code, child_id, "/commands/pairing/propose_pair", body, {}, "proposed")


async def sent(request: Request, client: Client, code: str, child_id: str, command: str, body: dict,
               typed: dict, done: str, fields: tuple[str, ...] = ()) -> Response:
    """The command sent as the operator; on success back to where she came from (the list after a
    proposal, the child after her tier), else the child's page again with the refusal in words."""
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    if not set(child_id) <= ID_CHARS:
        return problem(request, 404)
    answer = await client.post(found[0].token, command, body)
    if answer.ok:
        target = (f"/r/{code}/pairing?done={done}&child={quote(child_id)}" if done == "proposed"
                  else f"/r/{code}/pairing/child/{quote(child_id)}?done={done}&tier={quote(str(body.get('tier', '')))}")
        return RedirectResponse(target, status_code=303)
    errors, error = errors_of(answer.status, answer.body, fields, translator(request))
    return await child_page(request, client, code, child_id, status=answer.status if answer.status >= 400 else 422,
                            error=error, errors=errors, typed=typed)
