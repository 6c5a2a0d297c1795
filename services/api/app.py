"""The HTTP API: commands by POST (sent on to the services over NATS), read models by GET.

Every route but /health and /auth/token needs a signed-in account (a bearer token from
/auth/token; /docs has an Authorize button). Commands are acted as that account (services.api.
commands); reads are scoped to her office's subtree, and personal data is shown only to roles that
work with files (services.api.scope). FastAPI validates bodies against the command models (422 with
field paths); the services' typed replies map to 404 for unknown ids, 409 for conflicts and broken
rules, 403 outside one's region; a body larger than its route's class allows (a command's: the NATS
server's max_payload) is refused with 413, and one sent without a valid token with 401, before it is
read (services.api.limits). Every error has one shape, {code, message, details} (services.api.
errors); every response carries the security headers (services.api.headers). OpenAPI is at /docs.

Each module of services.api holds a module-level router; its routes take what they need (the read
database, the key store, the NATS connection, the event log, the accounts) by `Depends` from the
resources `create_api` sets on `app.state` (services.api.deps). The web pages are the dashboard's:
the platform serves both in one app (services.platform.web).
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from services.accounts.service import AccountService
from services.api import accounts as account_routes
from services.api import (auth, availability, bulletin, care, children, commands, feed_docs, figures, files,
                          giving, history, hours, matching, operations, organisation, pairing_reads, people, proposals, queues, recognition,
                          submissions, work_lists)
from services.api.deps import set_resources
from services.api.errors import RESPONSES as ERROR_RESPONSES, document_errors
from services.api.errors import install as install_error_handlers
from services.api.headers import SecurityHeaders
from services.api.limits import BodyLimits
from services.shared.eventlog import EventLog
from services.shared.privacy import KeyStore

# In the order their routes are matched and documented.
ROUTERS = (auth, account_routes, feed_docs, commands, matching, proposals, pairing_reads, figures, hours, bulletin, children,
           people, history, files, care, giving, organisation, recognition, submissions, operations, work_lists, queues,
           availability)


def create_api(nc, event_log: EventLog, db: AsyncEngine, keys: KeyStore,
               accounts: AccountService | None = None) -> FastAPI:
    """The API, its resources on `app.state` (services.api.deps); its routes find the account
    service on `app.state.accounts` (given here, or set by the platform once it has opened it)."""
    api = FastAPI(title="aixin", version="0.1.0",
                  description="Caring-mother (爱心妈妈) pairing: commands and read models. "
                              "Sign in with Authorize (POST /auth/token) first.",
                  responses=ERROR_RESPONSES, docs_url=None)  # /docs: services.dashboard, local assets
    set_resources(api, nc, event_log, db, keys, accounts)
    # Bodies within their route's limit, and none read before its token (services.api.limits).
    api.add_middleware(BodyLimits, command_limit=lambda: nc.max_payload)
    api.add_middleware(SecurityHeaders)  # on every response (services.api.headers)
    install_error_handlers(api)
    for module in ROUTERS:
        api.include_router(module.router)
    document_errors(api)
    return api
