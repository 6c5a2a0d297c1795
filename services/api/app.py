"""The HTTP API: commands by POST (sent on to the services over NATS), read models by GET.

FastAPI validates bodies against the command models (422 with field paths); the services' typed
replies map to 404 for unknown ids, 409 for conflicts and broken rules, 403 outside one's region.
OpenAPI is served at /docs.
"""

from __future__ import annotations


from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse
from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError, TimeoutError as NatsTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.commands import Command
from contracts.regions import InvalidRegion, parse_region
from contracts.replies import HTTP_STATUS
from contracts.subjects import command_subject
from services.activity.app import ROUTES as ACTIVITY
from services.api.care import add_care_routes
from services.api.giving import add_giving_routes
from services.api.history import history_view
from services.api.matching import add_matching_routes
from services.intake.app import ROUTES as INTAKE
from services.pairing.app import ROUTES as PAIRING
from services.projections.children_directory import children_in
from services.projections.region_stats import figures, figures_by_subregion
from services.shared.endpoints import decode_reply
from services.shared.eventlog import EventLog
from services.shared.privacy import KeyStore

COMMAND_TIMEOUT = 30.0
COMMAND_ROUTES = {"intake": INTAKE, "pairing": PAIRING, "activity": ACTIVITY}
AGGREGATE_TYPES = ("child", "volunteer", "pair", "wish")


def create_api(nc: NATS, event_log: EventLog, db: AsyncEngine, keys: KeyStore) -> FastAPI:
    api = FastAPI(title="aixin", version="0.1.0",
                  description="Caring-mother (爱心妈妈) pairing: commands and read models")

    async def send(context: str, name: str, command: Command) -> JSONResponse:
        try:
            message = await nc.request(command_subject(context, name),
                                       command.model_dump_json().encode(), timeout=COMMAND_TIMEOUT)
        except (NoRespondersError, NatsTimeout):
            raise HTTPException(503, f"the {context} service is not answering") from None
        reply = decode_reply(message.data)
        if reply.ok:
            return JSONResponse(reply.result, status_code=201)
        return JSONResponse({"detail": reply.error.model_dump(mode="json")},
                            status_code=HTTP_STATUS[reply.error.code])

    for context, routes in COMMAND_ROUTES.items():
        for name, (model, _handler) in routes.items():
            _command_route(api, send, context, name, model)

    add_matching_routes(api, db)

    @api.get("/regions/{code}/stats", tags=["read models"])
    async def region_stats(code: str) -> dict:
        region = _region(code)
        async with db.connect() as conn:
            return {"region": region.code, "level": region.level.value, "name": region.name,
                    **await figures(conn, region),
                    "subregions": await figures_by_subregion(conn, region)}

    @api.get("/regions/{code}/children", tags=["read models"])
    async def region_children(code: str, limit: int = Query(100, ge=1, le=10_000),
                              offset: int = Query(0, ge=0)) -> dict:
        region = _region(code)
        async with db.connect() as conn:
            rows = await children_in(conn, keys, region, limit, offset)
        return {"region": region.code, "children": rows}

    @api.get("/history/{aggregate_type}/{aggregate_id}", tags=["log"])
    async def history(aggregate_type: str, aggregate_id: str) -> dict:
        if aggregate_type not in AGGREGATE_TYPES:
            raise HTTPException(422, f"aggregate type {aggregate_type!r} is not one of {', '.join(AGGREGATE_TYPES)}")
        if not aggregate_id.replace("-", "").replace("_", "").isalnum():
            raise HTTPException(422, f"{aggregate_id!r} is not a valid id")
        loaded = await event_log.load(aggregate_type, aggregate_id)
        if not loaded.exists:
            raise HTTPException(404, f"no {aggregate_type} with id {aggregate_id}")
        return {"aggregate_type": aggregate_type, "aggregate_id": aggregate_id,
                "events": [history_view(stored) for stored in loaded.events]}

    add_care_routes(api, db)
    add_giving_routes(api, db)

    @api.get("/health", tags=["operations"])
    async def health() -> dict:
        return {"nats": nc.is_connected, "stream_last_seq": await event_log.last_sequence()}

    return api


def _command_route(api: FastAPI, send, context: str, name: str, model: type[Command]) -> None:
    async def post(command):
        return await send(context, name, command)

    post.__annotations__ = {"command": model}  # the body model, resolved for FastAPI
    post.__name__ = name
    api.post(f"/commands/{context}/{name}", status_code=201, tags=[context],
             summary=model.__doc__.splitlines()[0] if model.__doc__ else name.replace("_", " "))(post)


def _region(code: str):
    try:
        return parse_region(code)
    except InvalidRegion as error:
        raise HTTPException(422, str(error)) from None
