"""The one web app the platform serves: the HTTP API (services.api) and the dashboard's pages
(services.dashboard) side by side, each knowing nothing of the other's making — the API is built
with its resources, then the pages are added on the same app (/, /r/…, /login, /static, /docs), and
read through the API's own routes. And the command routes of each service, for whatever runs them."""

from __future__ import annotations

from fastapi import FastAPI, routing
from sqlalchemy.ext.asyncio import AsyncEngine

from services.accounts.service import AccountService
from services.activity.app import ROUTES as ACTIVITY
from services.api.app import create_api
from services.dashboard import add_dashboard
from services.intake.app import ROUTES as INTAKE
from services.pairing.app import ROUTES as PAIRING
from services.reporting.app import ROUTES as REPORTING
from services.shared.eventlog import EventLog
from services.shared.privacy import KeyStore

# Each service's commands and their handlers (their names and models: contracts.catalogue).
COMMAND_ROUTES = {"intake": INTAKE, "pairing": PAIRING, "activity": ACTIVITY, "reporting": REPORTING}


def create_app(nc, event_log: EventLog, db: AsyncEngine, keys: KeyStore,
               accounts: AccountService | None = None) -> FastAPI:
    """The API with the dashboard beside it; the live figures follow the event log's position."""
    app = create_api(nc, event_log, db, keys, accounts=accounts)
    add_dashboard(app, position=event_log.last_sequence)
    # FastAPI makes each included route ready when a request first meets its router: about a
    # second for all of them, which the first pages after a start paid. Made ready here instead.
    for _ in routing.iter_route_contexts(app.routes):
        pass
    return app
