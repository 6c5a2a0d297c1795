"""最美爱心妈妈 on the workbench: an office's nominations of a year, each with the volunteer's record
as attached (named for roles that may read names), the counts awarded per year and level, a form to
nominate (a district or town caseworker) and award or decline forms on each nomination waiting (an
approver of a city or province office). Read and sent through the API with the operator's token,
which decides who may; a refusal re-renders the page with its reason."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from contracts.reporting.recognition import AWARDING_LEVELS, NOMINATING_LEVELS
from services.dashboard.actions import signed_in_at
from services.dashboard.client import ApiClient, Client
from services.dashboard.forms import errors_of
from services.dashboard.guard import same_origin_form
from services.dashboard.render import Operator, page, problem, translator
from services.dashboard.view import breadcrumbs
from services.dashboard.wording import place
from services.dashboard.work import ID_CHARS

router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin_form)])  # no forged form
NOMINATIONS, COUNTS = "/regions/{code}/nominations", "/regions/{code}/recognitions"
DONE = ("nominated", "awarded", "declined")
# The services' refusals of this page's commands, told in the page's language (else the forms' own words).
REFUSED = (("already nominated for", "twice"), ("has withdrawn", "withdrawn"), ("a nomination is for", "nominator"),
           ("reviewing a nomination is for", "reviewer"), ("has not begun", "year"), ("is not recruited", "unknown"),
           ("was already", "decided"))


def _may(who: Operator) -> dict[str, bool]:
    """What the page offers her: the API refuses the rest anyway."""
    return {"nominates": "caseworker" in who.roles and who.office.level in NOMINATING_LEVELS,
            "reviews": "approver" in who.roles and who.office.level in AWARDING_LEVELS}


def _rows(nominations: list[dict], t) -> list[dict]:
    return [{**row, "hours": t.number(round(row["record"]["service_minutes"] / 60, 1)),
             "nominated_by_name": place(row["nominated_by"], t),
             "decided_by_name": place(row["decided_by"], t) if row.get("decided_by") else "",
             "level_word": t.label(f"enum.FederationLevel.{row['level']}", row["level"] or "")}
            for row in nominations]


async def recognition_page(request: Request, client: ApiClient, who: Operator, found, code: str, year: int,
                           status: int = 200, error: str | None = None, done: str | None = None,
                           typed: dict | None = None) -> Response:
    listed = await client.get(who.token, NOMINATIONS.format(code=code), year=year)
    if not listed.ok:
        return problem(request, listed.status, listed.message)
    counts = await client.get(who.token, COUNTS.format(code=code))
    t = translator(request)
    return page(request, "recognition.html", status=status, who=who, code=code, year=year, error=error,
                done=done if done in DONE else None, typed=typed or {}, personal=listed.body.get("personal"),
                nominations=_rows(listed.body.get("nominations", []), t),
                counts=counts.body.get("counts", []) if counts.ok else [], **_may(who),
                title=t.gettext("recognition.title"), crumbs=breadcrumbs(who.office, found, t),
                years=list(range(date.today().year, date.today().year - 5, -1)))


@router.get("/r/{code}/recognition")
async def recognition(request: Request, client: Client, code: str, done: str = "",
                      year: int = Query(date.today().year, ge=2000, le=2100)) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    return await recognition_page(request, client, *found, code, year, done=done)


@router.post("/r/{code}/recognition/nominate")
async def nominate(request: Request, client: Client, code: str) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    typed = {k: str(v).strip() for k, v in (await request.form()).items() if k != "csrf"}
    year = int(typed["year"]) if typed.get("year", "").isdigit() else date.today().year
    body = {"volunteer_id": typed.get("volunteer_id", ""), "year": year}
    answer = await client.post(found[0].token, "/commands/reporting/nominate_volunteer", body)
    if answer.ok:
        return RedirectResponse(f"/r/{code}/recognition?year={year}&done=nominated", status_code=303)
    return await recognition_page(request, client, *found, code, year, status=max(answer.status, 400),
                                  error=_refusal(answer, ("volunteer_id", "year"), translator(request)), typed=typed)


@router.post("/r/{code}/recognition/{nomination_id}")
async def review(request: Request, client: Client, code: str, nomination_id: str) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    if not set(nomination_id) <= ID_CHARS:
        return problem(request, 404)
    typed = await request.form()
    year = int(str(typed.get("year", ""))) if str(typed.get("year", "")).isdigit() else date.today().year
    award = typed.get("decision") == "award"
    path, body = (("award_volunteer", {"nomination_id": nomination_id}) if award else
                  ("decline_nomination", {"nomination_id": nomination_id, "reason": str(typed.get("reason", ""))}))
    answer = await client.post(found[0].token, f"/commands/reporting/{path}", body)
    if answer.ok:
        outcome = "awarded" if award else "declined"
        return RedirectResponse(f"/r/{code}/recognition?year={year}&done={outcome}", status_code=303)
    return await recognition_page(request, client, *found, code, year, status=max(answer.status, 400),
                                  error=_refusal(answer, ("reason",), translator(request)))


def _refusal(answer, names: tuple[str, ...], t) -> str:
    message = str(answer.body.get("message", "")) if isinstance(answer.body, dict) else ""
    if key := next((key for phrase, key in REFUSED if phrase in message), None):
        return t.gettext(f"recognition.refused.{key}")
    errors, error = errors_of(answer.status, answer.body, names, t)
    return ("；" if t.lang == "zh-CN" else "; ").join([*errors.values(), *([error] if error else [])])


def awards_of(answer: dict) -> list[dict]:
    """A volunteer's awards, from her file's events (for the badge on her page), latest year first."""
    awarded = [event.get("data") or {} for event in answer.get("events", [])
               if event.get("event_type") == "VolunteerAwarded"]
    return sorted(({"year": a.get("year"), "level": a.get("level")} for a in awarded),
                  key=lambda a: -(a["year"] or 0))
