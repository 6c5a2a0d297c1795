"""The reply to every command, over NATS request/reply and mirrored by the HTTP API."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorCode(StrEnum):
    invalid = "invalid"  # HTTP 422: the command is malformed or a value is out of range
    not_found = "not_found"  # HTTP 404: an id names nothing
    conflict = "conflict"  # HTTP 409: another writer changed the aggregate first
    rule_violated = "rule_violated"  # HTTP 409: a business invariant forbids it
    forbidden = "forbidden"  # HTTP 403: outside the operator's region
    internal = "internal"  # HTTP 500
    # HTTP 503: the event log could not take or give it just then (its server gone, its stream
    # between leaders); send the same command again, with the same command id: it is stored once.
    unavailable = "unavailable"


HTTP_STATUS = {
    ErrorCode.invalid: 422,
    ErrorCode.not_found: 404,
    ErrorCode.conflict: 409,
    ErrorCode.rule_violated: 409,
    ErrorCode.forbidden: 403,
    ErrorCode.internal: 500,
    ErrorCode.unavailable: 503,
}


class ErrorDetail(BaseModel):
    loc: list[str | int]
    msg: str


class Error(BaseModel):
    code: ErrorCode
    message: str
    details: list[ErrorDetail] = []


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ok: bool
    result: dict[str, Any] | None = None
    error: Error | None = None
