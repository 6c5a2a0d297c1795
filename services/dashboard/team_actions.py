"""A team's roster changed from its page: a caseworker adds a volunteer to the team (join_team),
moves a member to another team of the office (move_team) or lets her leave (leave_team), each on a
day she gives (default today). Sent through the API with her token, which decides who may; a
refusal re-renders the roster with its reason next to the form."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.dashboard.actions import signed_in_at
from services.dashboard.client import Client
from services.dashboard.forms import errors_of
from services.dashboard.guard import same_origin_form
from services.dashboard.organisation import team_page
from services.dashboard.render import problem, translator
from services.dashboard.work import ID_CHARS

router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin_form)])  # no forged form
# action -> (command, the field its day goes in, what the page says once done)
CHANGES = {"join": ("join_team", "joined_on", "joined"), "move": ("move_team", "moved_on", "moved"),
           "leave": ("leave_team", "left_on", "left")}
FIELDS = ("volunteer_id", "to_team_id", "reason")
# The refusals of a roster's change operators meet, by a phrase of the API's message -> catalog key.
REFUSED = (("; move her", "in_another_team"), ("is already in team", "already_here"), ("is in no team", "in_no_team"),
           ("does not exist", "no_team"), ("outside the region of volunteer", "team_elsewhere"),
           ("has withdrawn", "withdrawn"), ("is not recruited", "no_volunteer"))


def body_of(action: str, team_id: str, typed: dict[str, str]) -> dict[str, str]:
    """The command's body from what was typed; empty fields left out (the day then defaults to today)."""
    _command, day_field, _done = CHANGES[action]
    body = {name: typed[name] for name in FIELDS if typed.get(name)}
    if typed.get("day"):
        body[day_field] = typed["day"]
    return {**body, "team_id": team_id} if action == "join" else body


@router.post("/r/{code}/teams/{team_id}/members")
async def change(request: Request, client: Client, code: str, team_id: str) -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    typed = {k: str(v).strip() for k, v in (await request.form()).items() if k != "csrf"}
    action = typed.get("action", "")
    if action not in CHANGES or not set(team_id) <= ID_CHARS:
        return problem(request, 404)
    command, day_field, done = CHANGES[action]
    answer = await client.post(found[0].token, f"/commands/intake/{command}", body_of(action, team_id, typed))
    if answer.ok:
        return RedirectResponse(f"/r/{code}/teams/{team_id}?done={done}", status_code=303)
    message = refusal(answer, (*FIELDS, day_field, "team_id"), translator(request))
    return await team_page(request, client, *found, code, team_id, status=max(answer.status, 400), error=message,
                           typed={**typed, "failed": action})


def refusal(answer, names: tuple[str, ...], t) -> str:
    """The refusal in the page's language: a known one by its own words, else as forms word theirs."""
    said = str(answer.body.get("message", "")) if isinstance(answer.body, dict) else ""
    if key := next((key for phrase, key in REFUSED if phrase in said), None):
        return t.gettext(f"organisation.refused.{key}")
    errors, error = errors_of(answer.status, answer.body, names, t)
    return ("；" if t.lang == "zh-CN" else "; ").join([*errors.values(), *([error] if error else [])])
