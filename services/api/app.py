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
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from nats.aio.client import Client as NATS
from nats.errors import MaxPayloadError, NoRespondersError, TimeoutError as NatsTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.commands import Command
from contracts.subjects import command_subject
from services.activity.app import ROUTES as ACTIVITY
from services.accounts.service import AccountService
from services.api import accounts as account_routes
from services.api import auth
from services.api import feed_docs
from services.api.auth import Caller, signed_in
from services.api.availability import log_health, request_while_connected
from services.api.care import add_care_routes
from services.api.commands import add_command_route
from services.api.giving import add_giving_routes
from services.api.history import add_history_routes
from services.api.figures import add_figure_routes
from services.api.errors import RESPONSES as ERROR_RESPONSES, document_errors, refusal
from services.api.errors import install as install_error_handlers
from services.api.headers import SecurityHeaders
from services.api.limits import BodyLimits, too_large
from services.api.matching import add_matching_routes
from services.api.proposals import add_pending_routes
from services.api.operations import add_operations_routes
from services.api.work_lists import work_list_routes
from services.api.queues import queues_router
from services.dashboard import add_dashboard
from services.api.scope import (MAX_OFFSET, log_children_read, readable_region, require_readable,
                                without_personal_data)
from services.intake.app import ROUTES as INTAKE
from services.pairing.app import ROUTES as PAIRING
from services.projections.children_directory import child_names, children_count, children_in
from services.shared.endpoints import decode_reply
from services.shared.eventlog import EventLog
from services.shared.privacy import KeyStore

COMMAND_TIMEOUT = 30.0
COMMAND_ROUTES = {"intake": INTAKE, "pairing": PAIRING, "activity": ACTIVITY}


def create_api(nc: NATS, event_log: EventLog, db: AsyncEngine, keys: KeyStore,
               accounts: AccountService | None = None) -> FastAPI:
    """The API; its routes find the account service on `app.state.accounts` (given here, or set by
    the platform once it has opened it)."""
    api = FastAPI(title="aixin", version="0.1.0",
                  description="Caring-mother (爱心妈妈) pairing: commands and read models. "
                              "Sign in with Authorize (POST /auth/token) first.",
                  responses=ERROR_RESPONSES, docs_url=None)  # /docs: services.dashboard, local assets
    api.state.accounts = accounts
    # Bodies within their route's limit, and none read before its token (services.api.limits).
    api.add_middleware(BodyLimits, command_limit=lambda: nc.max_payload)
    api.add_middleware(SecurityHeaders)  # on every response (services.api.headers)
    install_error_handlers(api)
    api.include_router(auth.router)
    api.include_router(account_routes.router)
    api.include_router(feed_docs.router)  # /asyncapi.json, public: the feed's contract

    async def send(context: str, name: str, command: Command) -> JSONResponse:
        try:  # the contracts' text types refuse what JSON cannot carry; this is the last guard
            payload = command.model_dump_json().encode()
        except ValueError as error:
            raise HTTPException(422, f"{type(command).__name__} cannot be sent as JSON: {error}") from None
        try:
            message = await request_while_connected(nc, command_subject(context, name), payload, COMMAND_TIMEOUT)
        except (NoRespondersError, NatsTimeout):
            raise HTTPException(503, f"the {context} service is not answering") from None
        except MaxPayloadError:  # a body within the limit may still grow (defaults, each row's actor)
            return too_large(nc.max_payload)
        reply = decode_reply(message.data)
        if reply.ok:
            return JSONResponse(reply.result, status_code=201)
        return refusal(reply.error)

    for context, routes in COMMAND_ROUTES.items():
        for name, (model, _handler) in routes.items():
            add_command_route(api, send, context, name, model)

    add_matching_routes(api, db, keys)
    add_pending_routes(api, db, keys)

    add_figure_routes(api, db)  # /regions/{code}/stats, /series, /report, /service-hours

    @api.get("/regions/{code}/children", tags=["read models"])
    async def region_children(request: Request, code: str, limit: int = Query(100, ge=1, le=10_000),
                              offset: int = Query(0, ge=0, le=MAX_OFFSET), caller: Caller = Depends(signed_in)) -> dict:
        """The children of the region; names and birth dates only for caseworkers and approvers,
        whose every reading of them is written to the access log."""
        region = readable_region(caller, code)
        async with db.connect() as conn:
            rows = await children_in(conn, keys, region, limit, offset)
            total = await children_count(conn, region)
        if caller.sees_personal_data:
            await log_children_read(request, caller, ((row["child_id"], row["region"]) for row in rows))
        return {"region": region.code, "total": total, "offset": offset,
                "children": without_personal_data(caller, rows)}

    @api.get("/children/{child_id}", tags=["read models"])
    async def child_on_file(request: Request, child_id: str = Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$"),
                            caller: Caller = Depends(signed_in)) -> dict:
        """Where a child is on file, and her name for a role that may see personal data (logged)."""
        async with db.connect() as conn:
            found = await child_names(conn, keys, [child_id])
        if child_id not in found:
            raise HTTPException(404, f"no child with id {child_id}")
        name, region = found[child_id]
        require_readable(caller, region, f"the file of child {child_id}")
        if not caller.sees_personal_data:
            return {"child_id": child_id, "region": region}
        await log_children_read(request, caller, [(child_id, region)])
        return {"child_id": child_id, "region": region, "name": name}

    add_history_routes(api, event_log)
    add_care_routes(api, db, keys)
    add_giving_routes(api, db)
    add_operations_routes(api, db, event_log, keys)
    api.include_router(work_list_routes(db, keys))  # /regions/{code}/work/…
    api.include_router(queues_router(db, keys))  # /regions/{code}/queues/…: work lists

    @api.get("/health", tags=["operations"], responses={503: {"description": "what is down, and why"}})
    async def health() -> JSONResponse:
        status, body = await log_health(nc, event_log)
        return JSONResponse(body, status_code=status)

    add_dashboard(api, position=event_log.last_sequence)  # the web pages at /, assets at /static, /docs
    document_errors(api)
    return api
