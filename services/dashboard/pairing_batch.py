"""Batch proposals for a street or a district: the matching engine's best assignment previewed —
who would be paired with whom, each score explained in words, who is left unmatched and why —
before anything is sent; then the proposals she keeps, sent one by one as her own, and a summary
of what was accepted and what refused, and why. Nothing is sent by the preview (a GET)."""

from __future__ import annotations

import secrets
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from contracts.regions import Region, region_name, subregions
from services.dashboard.client import ApiClient, Client
from services.dashboard.forms import errors_of
from services.dashboard.guard import same_origin_form
from services.dashboard.pairing_pages import acts
from services.dashboard.actions import signed_in_at
from services.dashboard.pairing_words import child_row, passed_over, proposal_id, reasons, why_not
from services.dashboard.render import page, problem, translator
from services.dashboard.view import breadcrumbs, region_or_none
from services.dashboard.work import ID_CHARS

LEVELS = ("district", "street")  # where the engine proposes a batch
MODES = ("one_to_one", "family")
router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin_form)])  # no forged form


def choices(place: Region) -> list[tuple[str, str]]:
    """Where a batch may be proposed from this page: its own street or district and, for a
    district, each of its streets."""
    if place.level.value not in LEVELS:
        return []
    streets = subregions(place) if place.level.value == "district" else []
    return [(place.code, region_name(place)), *((s.code, region_name(s)) for s in streets)]


def within_of(place: Region, within: str) -> Region | None:
    inner = region_or_none(within)
    return inner if inner is not None and place.contains(inner) and inner.level.value in LEVELS else None


@router.get("/r/{code}/pairing/batch")
async def preview(request: Request, client: Client, code: str, within: str = "") -> Response:
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    who, place = found
    t = translator(request)
    shown = {"who": who, "code": code, "options": choices(place), "within": within, "acts": acts(who),
             "crumbs": breadcrumbs(who.office, place, t), "preview": None, "summary": None}
    if not within:
        return page(request, "pairing_batch.html", **shown)
    inner = within_of(place, within)
    if inner is None:
        return problem(request, 422, text=t.gettext("pairing.batch.bad_region", place=within))
    answer = await client.get(who.token, f"/regions/{inner.code}/batch-proposal")
    if not answer.ok:
        return problem(request, answer.status, answer.message)
    shown.update(preview=worded(answer.body, t), name=region_name(inner), nonce=secrets.token_hex(8))
    return page(request, "pairing_batch.html", **shown)


def worded(body: dict, t) -> dict:
    """The engine's batch as the preview shows it: each proposal with the child's row, the
    volunteer and the score in words; the unmatched with why; the volunteers passed over."""
    def child(row: dict) -> dict:
        return child_row({**row, "name": row.get("child_name"), "region": row.get("child_region", "")}, t, date.today())

    proposals = [{"child": child(p), "volunteer_id": p["volunteer_id"], "volunteer": p.get("volunteer_name"),
                  "mode": p.get("mode", "one_to_one"), "score": p.get("score", 0), "terms": reasons(p, t)}
                 for p in body.get("proposals", [])]
    unmatched = [{"child": child(u), "why": [why_not(r, t) for r in u.get("reasons", [])]}
                 for u in body.get("unmatched", [])]
    return {"proposals": proposals, "unmatched": unmatched, "set_aside": len(body.get("set_aside", [])),
            "children": body.get("children", 0), "volunteers": body.get("volunteers", 0),
            "total": body.get("total_score", 0), "passed": passed_over(body.get("passed_over") or {}, t)}


@router.post("/r/{code}/pairing/batch")
async def send(request: Request, client: Client, code: str) -> Response:
    """Each proposal kept in the preview, sent as its own ProposePair, in the preview's order."""
    found = await signed_in_at(request, client, code)
    if isinstance(found, Response):
        return found
    who, place = found
    form = await request.form()
    inner = within_of(place, str(form.get("within", "")))
    picks = [parsed for value in form.getlist("pick") if (parsed := pick(str(value)))]
    if inner is None or not picks:
        return problem(request, 422, text=translator(request).gettext("pairing.batch.nothing"))
    labels = {str(k)[len("label-"):]: str(v) for k, v in form.items() if str(k).startswith("label-")}
    nonce = str(form.get("nonce", ""))
    results = [await proposed(client, who.token, p, nonce, labels, translator(request)) for p in picks]
    t = translator(request)
    summary = {"sent": len(results), "accepted": sum(r["ok"] for r in results), "results": results}
    return page(request, "pairing_batch.html", who=who, code=code, options=choices(place), within=inner.code,
                acts=acts(who), crumbs=breadcrumbs(who.office, place, t), preview=None, summary=summary,
                name=region_name(inner))


def pick(value: str) -> dict | None:
    """A kept proposal, `child|volunteer|mode|score` as the preview wrote it; None if it is not one."""
    parts = value.split("|")
    if len(parts) != 4 or not all(parts[:2]) or not set(parts[0] + parts[1]) <= ID_CHARS or parts[2] not in MODES:
        return None
    return {"child_id": parts[0], "volunteer_id": parts[1], "mode": parts[2],
            "score": int(parts[3]) if parts[3].isdigit() else None}


async def proposed(client: ApiClient, token: str, p: dict, nonce: str, labels: dict[str, str], t) -> dict:
    body = {"child_ids": [p["child_id"]], "volunteer_ids": [p["volunteer_id"]], "mode": p["mode"]}
    if pair_id := proposal_id(nonce, p["child_id"], p["volunteer_id"]):
        body["pair_id"] = pair_id  # sent twice (a reload of this summary), refused as done already
    if p["score"] is not None:
        body["score"] = p["score"]
    answer = await client.post(token, "/commands/pairing/propose_pair", body)
    why = None if answer.ok else errors_of(answer.status, answer.body, (), t)[1]
    return {"label": labels.get(p["child_id"]) or p["child_id"], "ok": answer.ok, "why": why}
