"""One shape for every error the HTTP API answers — the services' own: `{"code", "message",
"details"}`. A service's refusal of a command comes as it is (`contracts.replies.Error`); FastAPI's
validation (422) gets code `invalid`, a sentence naming the first wrong field and why, and each
problem as `{"loc", "msg"}` (loc starts with where it was sent: body, query, path, header); every
other refusal (401, 403, 404, 405, 409, 413, 429, 503…) a code named after its status.

`detail` stands beside them as earlier versions answered it (a string, FastAPI's list, or the
service's error), for clients that still read it (services/cli/client.py); it is deprecated.
FastAPI's 422 echoes each refused value there — but a password's, or a whole body's (which may hold
one), which are left out; a NaN or a lone surrogate cannot be written as strict
UTF-8 JSON, and the error reply itself would fail with a 500 — so such values are echoed as their repr.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts.replies import HTTP_STATUS, Error, ErrorCode, ErrorDetail
from services.api.headers import SECURITY_HEADERS

# The services' codes, and one per status for what is refused before a service is asked.
STATUS_CODES: dict[int, str] = {
    400: "bad_request", 401: "unauthenticated", 403: ErrorCode.forbidden, 404: ErrorCode.not_found,
    405: "method_not_allowed", 409: ErrorCode.conflict, 413: "too_large", 415: "unsupported_media_type",
    422: ErrorCode.invalid, 429: "too_many_attempts", 500: ErrorCode.internal, 503: "unavailable",
}
PLACES = {"body": "body field", "query": "query parameter", "path": "path parameter", "header": "header",
          "cookie": "cookie"}


class ErrorBody(BaseModel):
    """Every error of the API."""

    code: str = Field(description="what kind of refusal: invalid, not_found, conflict, rule_violated, "
                                  "forbidden, unauthenticated, too_large, too_many_attempts, unavailable, …")
    message: str = Field(description="one line for a person")
    details: list[ErrorDetail] = Field(description="each problem and where (`loc`); may be empty")
    detail: Any = Field(default=None, deprecated=True,
                        description="the error as earlier versions gave it; read code, message and details")


def error_response(status: int, message: str, details: list[ErrorDetail | dict] | None = None, *,
                   code: str | None = None, detail: Any = None, headers: dict | None = None) -> JSONResponse:
    body = {"code": str(code or STATUS_CODES.get(status, "error")), "message": message,
            "details": [ErrorDetail.model_validate(d).model_dump(mode="json") for d in details or ()],
            "detail": message if detail is None else detail}
    return JSONResponse(body, status_code=status, headers=headers)


def refusal(error: Error) -> JSONResponse:
    """A service's (or the account service's) refusal, with the status of its code."""
    dumped = error.model_dump(mode="json")
    return error_response(HTTP_STATUS[error.code], error.message, error.details, code=error.code, detail=dumped)


async def http_error(_request: Request, error: StarletteHTTPException) -> Response:
    if not is_body_allowed_for_status_code(error.status_code):
        return Response(status_code=error.status_code, headers=error.headers)
    detail = error.detail
    if isinstance(detail, dict) and {"code", "message"} <= detail.keys():
        return error_response(error.status_code, str(detail["message"]), detail.get("details"),
                              code=detail["code"], detail=detail, headers=error.headers)
    return error_response(error.status_code, detail if isinstance(detail, str) else json.dumps(detail),
                          detail=detail, headers=error.headers)


async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 in the one shape, each echoed input and context made writable."""
    legacy = []
    for item in jsonable_encoder(error.errors()):
        item = dict(item)
        if _secret(item.get("loc") or (), item.get("input")):
            item.pop("input", None)
        for key in ("input", "ctx"):
            if key in item:
                item[key] = _writable(item[key])
        legacy.append(item)
    details = [{"loc": [_writable(part) for part in item.get("loc") or ["body"]], "msg": item.get("msg", "")}
               for item in legacy]
    return error_response(422, sentence(legacy), details, detail=legacy)


async def internal_error(_request: Request, error: Exception) -> JSONResponse:
    """A fault of ours, answered in the same shape (never the traceback). Starlette raises the error
    on after this answer, and the server logs it with its traceback."""
    # Answered by Starlette's outermost middleware, past services.api.headers: its headers here.
    return error_response(500, f"the API failed on this request ({type(error).__name__}); "
                               "the operator finds the cause in its log", headers=SECURITY_HEADERS)


def sentence(errors: list[dict]) -> str:
    """The first problem as a sentence, e.g. "body field 'sex' is invalid: Input should be 'male' or
    'female' (and 1 more problem, see details)"."""
    if not errors:
        return "the request is invalid"
    first = errors[0]
    place, *path = first.get("loc") or ["body"]
    name = ".".join(map(str, path))
    if first.get("type") == "json_invalid":
        reason = (first.get("ctx") or {}).get("error")
        text = "the body is not valid JSON" + (f": {reason}" if reason else "")
    else:
        where = f"{PLACES.get(place, place)} {name!r}" if name else f"the {place}"
        text = f"{where} is missing" if first.get("type") == "missing" else f"{where} is invalid: {first.get('msg')}"
    more = len(errors) - 1
    return text + (f" (and {more} more problem{'s' if more > 1 else ''}, see details)" if more else "")


# Given to FastAPI(responses=...): every route, and the routers it includes, answers errors so.
RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "refused: code, message and details"},
    "5XX": {"model": ErrorBody, "description": "a fault of the API or of a service"},
}
SHAPE_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def document_errors(api: FastAPI) -> None:
    """Name 422 where an operation takes input (FastAPI would document its own validation body
    there), and no 4XX where it takes neither input nor a token, in the OpenAPI as generated."""
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        first = api.openapi_schema is None
        schema = generate()
        for operation in (op for path in schema["paths"].values() for op in path.values()) if first else ():
            responses = operation.setdefault("responses", {})
            if operation.get("parameters") or operation.get("requestBody"):
                responses["422"] = {"description": "invalid input", "content": SHAPE_REF}
            elif not operation.get("security"):
                responses.pop("4XX", None)
        return schema

    api.openapi = openapi  # type: ignore[method-assign]


def _secret(loc: Any, value: Any) -> bool:
    """Whether `value`, sent at `loc`, may be or hold a secret, never echoed: a password, an object
    holding one, or a whole body."""
    loc = list(loc)
    return loc[:1] == ["body"] and (len(loc) == 1 or "password" in loc
                                    or isinstance(value, dict) and "password" in value)


def _writable(value: Any) -> Any:
    """`value` if strict JSON (UTF-8, finite numbers) can hold it, else its repr, cut to 200 chars."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
        return value
    except (ValueError, TypeError, UnicodeEncodeError, RecursionError):
        text = repr(value) if not isinstance(value, float) or not math.isnan(value) else "NaN"
        return text[:200]


def install(api: FastAPI) -> None:
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.add_exception_handler(Exception, internal_error)
