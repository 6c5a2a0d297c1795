"""GET /asyncapi.json: the integration feed's AsyncAPI document (contracts.feed.asyncapi).

Public, like the JSON Schemas it is made of: it describes what a system's feed holds and carries no
data. It stays out of the OpenAPI document, as /openapi.json itself does.
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from contracts.feed.asyncapi import asyncapi_document

router = APIRouter(include_in_schema=False)


@cache
def _document() -> dict:
    return asyncapi_document()


@router.get("/asyncapi.json")
async def asyncapi() -> JSONResponse:
    return JSONResponse(_document(), headers={"Cache-Control": "public, max-age=300"})
