"""The dashboard: the web pages federation operators work in, served beside the HTTP API (`/`,
static assets at `/static`, Swagger UI at `/docs` from local assets). An entry point like the API:
it reads only through the API's own routes, with the signed-in operator's token.

Pages: sign-in (services.dashboard.pages), an office's home with KPI cards, drill-down table and
charts, work lists (filtered, paged, exported: services.dashboard.lists), the files of a child (一人一档), a
volunteer and a pair with the follow-up work sent from them (services.dashboard.files, followup), the
everyday forms and the approvers' pending proposals (services.dashboard.actions; the proposals are read at
GET /regions/{code}/proposals, services.dashboard.pending), pairing (the children waiting for a
pair, a child's suggestions explained, batches previewed then sent: services.dashboard.pairing_pages,
pairing_batch; their words: pairing_words), live figures over server-sent
events (services.dashboard.live; what it re-reads: services.dashboard.reads). Labels and event
types: translations/<lang>.json; numbers and times (China time): Babel."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from services.dashboard import (actions, bulletin, files, find, live, organisation, pages, pairing_batch, pairing_pages,
                                recognition, submissions, team_actions, work)
from services.dashboard.client import ApiClient
from services.dashboard.docs import add_docs
from services.dashboard.guard import Forged
from services.dashboard.live import Position
from services.dashboard.render import compile_templates, problem, translator

STATIC = Path(__file__).parent / "static"


def add_dashboard(api: FastAPI, position: Position | None = None, live_interval: float = 1.0) -> None:
    """Mount the pages on `api`. `position`: the event log's last sequence (the live stream re-reads
    figures when it moves); without it the figures are re-read every `live_interval` seconds."""
    api.state.dashboard = ApiClient(api)  # the routes' `Client` (services.dashboard.client)
    api.state.live = (position, live_interval)  # services.dashboard.live
    api.add_exception_handler(Forged, refuse_forged)  # services.dashboard.guard
    add_docs(api)
    for module in (pages, files, work, actions, bulletin, find, pairing_pages, pairing_batch, recognition, submissions,
                   organisation, team_actions, live):
        api.include_router(module.router)
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    compile_templates()


async def refuse_forged(request: Request, _error: Forged) -> Response:
    return problem(request, 403, text=translator(request).gettext("error.forged"))
