"""The monthly submission (数据上报) on the workbench: an office's months and where each stands (status,
deadline, days late, the reason of a return), a form to submit a month that is over (a caseworker of
the office itself; the platform fills in the figures, she explains any sub-office that has not
submitted), its sub-offices' submissions of a month with accept and return forms (an approver of the
office directly above), and a month as submitted with the adjustments recorded since it was accepted.
Read and sent through the API with the operator's token, which decides who may; a refusal re-renders
the page with its reason."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from contracts.regions import parse_region
from services.dashboard.actions import signed_in_at
from services.dashboard.client import ApiClient, Client
from services.dashboard.forms import errors_of
from services.dashboard.guard import same_origin_form
from services.dashboard.render import Operator, page, problem, translator
from services.dashboard.view import breadcrumbs, figure_name
from services.dashboard.wording import place

router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin_form)])  # no forged form
MONTHS, MONTH = "/regions/{code}/submissions", "/regions/{code}/submissions/{month}"
MONTH_TEXT = re.compile(r"2[0-9]{3}-(0[1-9]|1[0-2])")
DONE = ("submitted", "returned", "accepted")
ACTIONS = {"return": "return_submission", "accept": "accept_submission"}


def _office(code: str) -> str:
    region = parse_region(code)
    return region.prefix or "CN"


def _may(who: Operator, code: str) -> dict[str, bool]:
    """What the page offers her: the API refuses the rest anyway."""
    own = who.office.code == parse_region(code).code
    return {"submits": own and "caseworker" in who.roles, "reviews": own and "approver" in who.roles}


def figure_rows(submission: dict | None, t) -> list[dict]:
    """The figures of a month as submitted and as they stand with its adjustments, those not zero."""
    if not submission:
        return []
    then, now = submission["figures_submitted"], submission["figures"]
    return [{"name": figure_name(key, t), "then": t.number(then.get(key, 0)), "now": t.number(value),
             "changed": value != then.get(key, 0)} for key, value in now.items() if value or then.get(key)]


def steps_of(submission: dict | None, t) -> list[dict]:
    """Each step of the month, an adjustment's deltas named."""
    return [{**step, "office_name": place(step["office"], t),
             "deltas_said": "，".join(f"{figure_name(k, t)} {v:+d}" for k, v in (step["deltas"] or {}).items())}
            for step in (submission or {}).get("steps", [])]


def explanations_of(text: str) -> dict[str, str]:
    """One sub-office a line, its code then why it has not submitted: `440106 换届，下月补报`."""
    found = {}
    for line in text.splitlines():
        code, _, reason = line.strip().partition(" ")
        if code:
            found[code.strip("：:")] = reason.strip()
    return found


async def submissions_page(request: Request, client: ApiClient, who: Operator, found, code: str, month: str | None,
                           status: int = 200, error: str | None = None, done: str | None = None,
                           typed: dict | None = None) -> Response:
    listed = await client.get(who.token, MONTHS.format(code=code))
    if not listed.ok:
        return problem(request, listed.status, listed.message)
    months = listed.body.get("months", [])
    month = month or (months[0]["month"] if months else None)
    chosen = await client.get(who.token, MONTH.format(code=code, month=month)) if month else None
    detail = chosen.body if chosen is not None and chosen.ok else {}
    t = translator(request)
    subs = [{**row, "place": place(row["office"], t)} for row in detail.get("sub_offices", [])]
    mine = detail.get("submission")
    return page(request, "submissions.html", status=status, who=who, code=code, office=_office(code),
                month=month, months=months, subs=subs, submission=mine, figures=figure_rows(mine, t),
                steps=steps_of(mine, t), error=error, done=done if done in DONE else None, typed=typed or {},
                open_months=[m["month"] for m in months if m["status"] in ("not submitted", "returned")],
                title=t.gettext("submissions.title"), crumbs=breadcrumbs(who.office, found, t), **_may(who, code))


def _month_of(text: object) -> str | None:
    text = str(text or "")
    return text if MONTH_TEXT.fullmatch(text) else None


@router.get("/r/{code}/submissions")
async def submissions(request: Request, client: Client, code: str, month: str = "", done: str = "") -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    return await submissions_page(request, client, *found, code, _month_of(month), done=done)


@router.post("/r/{code}/submissions/submit")
async def submit(request: Request, client: Client, code: str) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    typed = {k: str(v) for k, v in (await request.form()).items() if k != "csrf"}
    month = _month_of(typed.get("month"))
    body = {"office": _office(code), "month": month or typed.get("month", ""),
            "explanations": explanations_of(typed.get("explanations", ""))}
    answer = await client.post(found[0].token, "/commands/reporting/submit_month", body)
    if answer.ok:
        return RedirectResponse(f"/r/{code}/submissions?month={month}&done=submitted", status_code=303)
    return await _refused(request, client, found, code, month, answer, typed)


@router.post("/r/{code}/submissions/{office}/{action}")
async def review(request: Request, client: Client, code: str, office: str, action: str) -> Response:
    """Accept or return a sub-office's month (`office`: its code), from the page of the office above."""
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    if action not in ACTIONS or not office.isdigit():
        return problem(request, 404)
    typed = {k: str(v) for k, v in (await request.form()).items() if k != "csrf"}
    month = _month_of(typed.get("month"))
    body = {"office": office, "month": month or typed.get("month", "")}
    if action == "return":
        body["reason"] = typed.get("reason", "")
    answer = await client.post(found[0].token, f"/commands/reporting/{ACTIONS[action]}", body)
    if answer.ok:
        outcome = "returned" if action == "return" else "accepted"
        return RedirectResponse(f"/r/{code}/submissions?month={month}&done={outcome}", status_code=303)
    return await _refused(request, client, found, code, month, answer, typed)


async def _refused(request: Request, client: ApiClient, found, code: str, month: str | None, answer,
                   typed: dict) -> Response:
    errors, error = errors_of(answer.status, answer.body, ("month", "reason", "explanations"), translator(request))
    message = "；".join([*errors.values(), *([error] if error else [])])
    return await submissions_page(request, client, *found, code, month, status=max(answer.status, 400),
                                  error=message, typed=typed)
