"""Teams and stations on the workbench: an office's teams with how many are in each and their service
hours, a team's roster (names for the roles that may read them, else ids), its stations with opening
days and what was held at each over a period, and a station's page (its activities by kind and the
latest, attendance as given). Read through the API with the operator's token, which decides what
she may see; a refusal is the page's problem."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from contracts.regions import InvalidRegion, parse_region
from services.dashboard.actions import signed_in_at
from services.dashboard.client import Client
from services.dashboard.render import page, problem, translator
from services.dashboard.view import breadcrumbs
from services.dashboard.wording import place

router = APIRouter(include_in_schema=False)
DAY = r"^\d{4}-\d{2}-\d{2}$"
DONE = ("joined", "moved", "left")  # what a change of the roster says once done


def _period(since: str | None, until: str | None) -> dict[str, str]:
    return {k: v for k, v in (("from", since), ("to", until)) if v}


def _days(days: list[str], t) -> str:
    return t.gettext("organisation.list_sep").join(t.gettext(f"organisation.day.{d}") for d in days)


async def _at(request: Request, client, code: str):
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    who, region = found
    return who, region, translator(request)


@router.get("/r/{code}/teams")
async def teams(request: Request, client: Client, code: str) -> Response:
    found = await _at(request, client, code)
    if isinstance(found, Response):
        return found
    who, region, t = found
    listed = await client.get(who.token, f"/regions/{code}/teams")
    if not listed.ok:
        return problem(request, listed.status, listed.message)
    held = await client.get(who.token, f"/regions/{code}/service-hours", by="team", limit=10_000)
    hours = {h["id"]: h["hours"] for h in held.body.get("holders", [])} if held.ok else {}
    rows = [{**team, "place": place(team["region"], t), "hours": t.number(hours.get(team["team_id"], 0)),
             "level_word": t.label(f"level.{team['level']}", team["level"])} for team in listed.body["teams"]]
    return page(request, "teams.html", who=who, code=code, teams=rows, title=t.gettext("organisation.teams"),
                crumbs=breadcrumbs(who.office, region, t))


async def team_page(request: Request, client, who, region, code: str, team_id: str, status: int = 200,
                    error: str | None = None, done: str | None = None, typed: dict | None = None) -> Response:
    """A team's roster; for a caseworker, the forms that change it (services.dashboard.team_actions)."""
    t = translator(request)
    roster = await client.get(who.token, f"/teams/{team_id}")
    if not roster.ok:
        return problem(request, roster.status, roster.message)
    body, changes = roster.body, "caseworker" in who.roles
    parts = {part: [{**m, "place": place(m["region"], t)} for m in body[part]] for part in ("members", "former")}
    listed = await client.get(who.token, f"/regions/{code}/teams") if changes else None
    others = [o for o in listed.body["teams"] if o["team_id"] != team_id] if listed and listed.ok else []
    return page(request, "team.html", status=status, who=who, code=code, team=body, place=place(body["region"], t),
                title=body["name"], crumbs=breadcrumbs(who.office, region, t), changes=changes, others=others,
                error=error, done=done if done in DONE else None, typed=typed or {}, **parts)


@router.get("/r/{code}/teams/{team_id}")
async def team(request: Request, client: Client, code: str, team_id: str, done: str = "") -> Response:
    found = await _at(request, client, code)
    if isinstance(found, Response):
        return found
    who, region, _t = found
    return await team_page(request, client, who, region, code, team_id, done=done)


@router.get("/r/{code}/stations")
async def stations(request: Request, client: Client, code: str, since: str | None = Query(None, alias="from", pattern=DAY),
                   until: str | None = Query(None, alias="to", pattern=DAY)) -> Response:
    found = await _at(request, client, code)
    if isinstance(found, Response):
        return found
    who, region, t = found
    listed = await client.get(who.token, f"/regions/{code}/stations", **_period(since, until))
    if not listed.ok:
        return problem(request, listed.status, listed.message)
    rows = [{**s, "place": place(s["region"], t), "days": _days(s["opening_days"], t),
             **{k: t.number(s[k]) for k in ("activities", "person_times", "children", "volunteers")}}
            for s in listed.body["stations"]]
    return page(request, "stations.html", who=who, code=code, stations=rows, period=listed.body,
                since=since or "", until=until or "", title=t.gettext("organisation.stations"),
                crumbs=breadcrumbs(who.office, region, t), today=date.today().isoformat())


@router.get("/r/{code}/stations/{station_id}")
async def station(request: Request, client: Client, code: str, station_id: str,
                  since: str | None = Query(None, alias="from", pattern=DAY),
                  until: str | None = Query(None, alias="to", pattern=DAY)) -> Response:
    found = await _at(request, client, code)
    if isinstance(found, Response):
        return found
    who, region, t = found
    shown = await client.get(who.token, f"/stations/{station_id}", **_period(since, until))
    if not shown.ok:
        return problem(request, shown.status, shown.message)
    body = shown.body
    kinds = [{**k, "label": t.label(f"enum.ActivityKind.{k['kind']}", k["kind"])} for k in body["by_kind"]]
    recent = [{**a, "label": t.label(f"enum.ActivityKind.{a['kind']}", a["kind"])} for a in body["recent"]]
    return page(request, "station.html", who=who, code=code, station=body, place=place(body["region"], t),
                days=_days(body["opening_days"], t), kinds=kinds, recent=recent, since=since or "", until=until or "",
                title=body["name"], crumbs=breadcrumbs(who.office, region, t))


# How each event of a volunteer's file changes her team: (field naming the team she is in after it, or None).
TEAM_AFTER = {"VolunteerRecruited": "team_id", "VolunteerJoinedTeam": "team_id", "VolunteerMovedTeam": "to_team_id",
              "VolunteerLeftTeam": None, "VolunteerWithdrew": None}


def team_of(events: list[dict]) -> str | None:
    """The team a volunteer is in, from her file's events (pure)."""
    team = None
    for event in events:
        kind = event.get("event_type")
        if kind in TEAM_AFTER:
            field = TEAM_AFTER[kind]
            team = (event.get("data") or {}).get(field) if field else None
    return team


async def team_line(client, token: str, answer: dict) -> dict | None:
    """Her team for her page: its id, and its name and page where the operator may read it."""
    team_id = team_of(answer.get("events", []))
    if not team_id:
        return None
    found = await client.get(token, f"/teams/{team_id}")
    if not found.ok:
        return {"team_id": team_id}
    try:
        code = parse_region(found.body["region"]).prefix or "CN"
    except InvalidRegion:
        return {"team_id": team_id}
    return {"team_id": team_id, "name": found.body["name"], "code": code}
