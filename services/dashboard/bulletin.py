"""The 通报 page: an office's sub-offices for a month, ranked, each card a coloured badge with its
reasons in words, the thresholds they were given by, and the workbook to download. Read through
the API (`/regions/{code}/bulletin`, `.xlsx`) with the operator's token, so its checks and
refusals are the API's."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from contracts.regions import parse_region
from services.dashboard.client import Client
from services.dashboard.home import report_months
from services.dashboard.i18n import Translator
from services.dashboard.render import Operator, operator, page, problem, translator
from services.dashboard.view import breadcrumbs, place_name, region_or_none
from services.projections.bulletin.wording import status

PATH = "/regions/{code}/bulletin"
MONTHS = 24  # offered in the month's choice: two years back
# Which threshold each reason crossed: its measure's red or yellow line.
LINE = {"below_red": "red", "above_red": "red", "below_yellow": "yellow", "above_yellow": "yellow"}

router = APIRouter(include_in_schema=False)


def last_month(today: date) -> str:
    """The month a bulletin is usually drawn up for: the one before this."""
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year:04d}-{today.month - 1:02d}"


def reason_text(card: dict, thresholds: dict, t: Translator) -> str:
    line = LINE.get(card["reason"])
    threshold = thresholds.get(f"{card['measure']}_{line}") if line else None
    value = card["value"]
    return t.gettext(f"bulletin.reason.{card['reason']}", v=f"{value:g}" if isinstance(value, float) else value,
                     t=threshold, m=t.gettext(f"bulletin.measure.{card['measure']}"))


def shown_rows(found: dict, t: Translator) -> list[dict]:
    """Each sub-office's row as the table shows it: numbers in the page's locale, reasons in words."""
    rows = []
    for row in found["rows"]:
        m = row["measures"]
        rows.append({"rank": row["rank"], "code": row["region"], "name": row["name"], "score": t.number(row["score"]),
                     "card": row["card"],
                     "status": t.gettext(f"bulletin.status.{status(row)}"),
                     "late": t.number(row["days_late"]), "coverage": t.percent(m["coverage"]),
                     "compliance": t.percent(m["compliance"]),
                     "overdue": f"{t.number(row['contacts_overdue'])} / {t.number(row['active_pairs'])}"
                     if row["active_pairs"] else "–",
                     "reasons": [(c["card"], reason_text(c, found["thresholds"], t)) for c in row["cards"]]})
    return rows


@router.get("/r/{code}/bulletin")
async def bulletin_page(request: Request, client: Client, code: str, month: str = "") -> Response:
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    place = region_or_none(code)
    if place is None or not client.has(PATH):
        return problem(request, 404)
    month = month or last_month(date.today())
    found = await client.get(who.token, f"/regions/{code}/bulletin", month=month)
    if not found.ok:
        return problem(request, found.status, found.message)
    t = translator(request)
    whose = found.body["thresholds_of"]
    return page(request, "bulletin.html", who=who, code=code, month=month, found=found.body,
                whose=place_name(parse_region(whose), t) if whose else None,
                crumbs=breadcrumbs(who.office, place, t), rows=shown_rows(found.body, t),
                months=report_months(date.today(), MONTHS), title=t.gettext("bulletin.title", month=month))


@router.get("/r/{code}/bulletin.xlsx")
async def bulletin_file(request: Request, client: Client, code: str, month: str = "") -> Response:
    who = await operator(request, client)
    if not isinstance(who, Operator):
        return who
    if region_or_none(code) is None:
        return problem(request, 404)
    reply = await client.download(who.token, f"/regions/{code}/bulletin.xlsx", month=month)
    if reply.status_code != 200:
        body = reply.json() if reply.headers.get("content-type", "").startswith("application/json") else {}
        return problem(request, reply.status_code, str(body.get("message") or reply.status_code))
    kept = {k: v for k, v in reply.headers.items() if k in ("content-type", "content-disposition")}
    return Response(reply.content, headers={**kept, "Cache-Control": "no-store"})
