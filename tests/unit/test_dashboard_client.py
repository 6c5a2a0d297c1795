"""The dashboard's way to the API knows which routes the running API serves from the routes
themselves (included routers and all), without building the OpenAPI document, which took a second
or more on the first page after a start; and the browser's favicon is served, not a 404."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI

from services.dashboard import pages
from services.dashboard.client import ApiClient

queues = APIRouter(prefix="/regions/{code}/queues")


@queues.get("/reminders")
async def reminders(code: str) -> dict:
    return {"region": code}


def test_a_route_of_an_included_router_is_known_by_its_template_and_no_document_is_built() -> None:
    api = FastAPI()
    api.include_router(queues)
    client = ApiClient(api)
    assert client.has("/regions/{code}/queues/reminders")
    assert not client.has("/regions/{code}/queues/overdue-contacts")
    assert api.openapi_schema is None  # asking did not build the document


async def test_the_favicon_is_an_icon() -> None:
    api = FastAPI()
    api.include_router(pages.router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://aixin") as http:
        reply = await http.get("/favicon.ico")
    assert reply.status_code == 200 and reply.headers["content-type"] == "image/x-icon"
    assert reply.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header: reserved 0, type 1 (icon)
