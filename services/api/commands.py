"""Commands over HTTP: the body is the command without `actor`; the signed-in account is the actor.

Who acted is never the client's to say: the body model of each command is the command model less
`actor`, with extra fields forbidden, so a body naming an actor is refused (422) instead of being
ignored. The API fills the actor from the token (operator = username, her office, the role she acts
in), and the rows of a bulk command get the same actor. The services still decide whether the actor
may act on what the command names (403 from their reply).

An `Idempotency-Key` header is the command's `command_id` (it wins over one in the body): event and
new aggregate ids derive from the command id, so a client that retries a POST whose answer it lost,
with the same key, gets the first answer back and nothing is created twice.
"""

from __future__ import annotations

import json
import typing
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from nats.errors import MaxPayloadError, NoRespondersError, TimeoutError as NatsTimeout
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from contracts.accounts import Role
from contracts.catalogue import CATALOGUE
from contracts.commands import Command
from contracts.envelope import Actor
from contracts.intake.imports import RecruitVolunteers, RegisterChildren
from contracts.subjects import command_subject
from services.api.auth import Caller, signed_in
from services.api.availability import RESEND_AFTER, request_while_connected
from services.api.deps import Nats
from services.api.errors import refusal
from services.api.filled import fill_in
from services.api.limits import too_large
from services.shared.endpoints import decode_reply

COMMAND_TIMEOUT = 30.0
# A list's rows, hundreds at a time, queued behind each other in the import worker: seconds without
# an answer are their work, not an answer lost, and they are not sent again meanwhile (the import
# sends a batch again itself when it is answered 503).
BULK = (RegisterChildren, RecruitVolunteers)
router = APIRouter()
# Deciding on a proposal, a nomination or a sub-office's month is the approver's; everything else is the
# caseworker's everyday work.
APPROVER_COMMANDS = frozenset({("pairing", "approve_pair"), ("pairing", "reject_pair"),
                               ("reporting", "award_volunteer"), ("reporting", "decline_nomination"),
                               ("reporting", "return_submission"), ("reporting", "accept_submission"),
                               ("reporting", "set_card_thresholds")})  # the thresholds its 通报 cards by
# Checked as the body's command_id is (1-128 characters, one line: see `command_of`), and kept to
# printable ASCII besides: HTTP stacks decode other header bytes as Latin-1, so such a key could
# differ from the one the client believes it sent, and its retry would not be recognised.
IDEMPOTENCY_KEY = "Idempotency-Key"
IdempotencyKey = Annotated[str | None, Header(
    alias=IDEMPOTENCY_KEY, min_length=1, max_length=128, pattern=r"^[\x20-\x7e]+$",
    description="the command's command_id (overrides one in the body): a retry with the same key "
                "creates nothing twice and answers as the first request did; 1-128 printable ASCII characters")]


def role_for(context: str, name: str) -> Role:
    return Role.approver if (context, name) in APPROVER_COMMANDS else Role.caseworker


def _rows_of(annotation: Any) -> type[Command] | None:
    """The command type of a `list[SomeCommand]` field (the rows of a bulk command), else None."""
    if typing.get_origin(annotation) is list:
        [item] = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, Command):
            return item
    return None


@cache
def body_model(model: type[Command]) -> type[BaseModel]:
    """`model` without `actor`, its rows (if any) without `actor` too; every other field as it is,
    with its constraints and defaults (the FieldInfo is reused). The command models have no
    validators of their own; the full model is validated again once the actor is in."""
    fields = {}
    for name, info in model.model_fields.items():
        if name == "actor" or name in getattr(model, "filled_by_server", ()):  # the platform's, not the body's
            continue
        rows = _rows_of(info.annotation)
        fields[name] = (list[body_model(rows)] if rows else info.annotation, info)
    return create_model(f"{model.__name__}Body", __config__=ConfigDict(extra="forbid", frozen=True),
                        __doc__=model.__doc__, **fields)


def command_of(model: type[Command], body: BaseModel, actor: Actor,
               idempotency_key: str | None = None, filled: dict[str, Any] | None = None) -> Command:
    if not filled and _checked_by_its_body(model):
        # The body was validated field by field against the command's own fields; the actor is the
        # signed-in account's and the key was checked as a header: nothing left to check twice.
        values = {name: getattr(body, name) for name in type(body).model_fields}
        if idempotency_key is not None:
            values["command_id"] = idempotency_key
        return model.model_construct(**values, actor=actor)
    data = body.model_dump() | (filled or {})
    data["actor"] = actor
    if idempotency_key is not None:
        data["command_id"] = idempotency_key
    for name, info in model.model_fields.items():
        if _rows_of(info.annotation) and data.get(name) is not None:
            data[name] = [{**row, "actor": actor} for row in data[name]]
    try:
        return model.model_validate(data)
    except ValidationError as error:  # but for the key, cannot happen while the body model mirrors the command
        raise RequestValidationError([{**e, "loc": _where(e["loc"], idempotency_key)} for e in error.errors()]) from None


@cache
def _checked_by_its_body(model: type[Command]) -> bool:
    """Whether validating the body checked all the command would: no rows (their actor is added
    after) and no validator of the model's own (the body model does not carry those)."""
    decorators = model.__pydantic_decorators__
    return not (decorators.model_validators or decorators.field_validators
                or any(_rows_of(info.annotation) for info in model.model_fields.values()))


def _where(loc: tuple, idempotency_key: str | None) -> tuple:
    """Where an error of the full command was sent: the command id came from the header if one was."""
    if idempotency_key is not None and loc[:1] == ("command_id",):
        return ("header", IDEMPOTENCY_KEY)
    return ("body", *loc)


async def send(nc, context: str, name: str, command: Command) -> JSONResponse:
    """The command to its service over NATS; its typed reply as 201, or as the refusal it is."""
    try:  # the contracts' text types refuse what JSON cannot carry; this is the last guard
        payload = command.model_dump_json().encode()
    except ValueError as error:
        raise HTTPException(422, f"{type(command).__name__} cannot be sent as JSON: {error}") from None
    try:
        message = await request_while_connected(nc, command_subject(context, name), payload, COMMAND_TIMEOUT,
                                                resend_after=None if isinstance(command, BULK) else RESEND_AFTER)
    except (NoRespondersError, NatsTimeout):
        raise HTTPException(503, f"the {context} service is not answering") from None
    except MaxPayloadError:  # a body within the limit may still grow (defaults, each row's actor)
        return too_large(nc.max_payload)
    answer = json.loads(message.data)
    if answer.get("ok") is True:  # the service's reply as it wrote it: its result needs no model
        return JSONResponse(answer.get("result"), status_code=201)
    return refusal(decode_reply(message.data).error)


def add_command_route(context: str, name: str, model: type[Command]) -> None:
    """POST /commands/<context>/<name> on the module's router, its body the command less `actor`."""
    body_type, role = body_model(model), role_for(context, name)

    async def post(request: Request, body: BaseModel, nc: Nats, caller: Caller = Depends(signed_in),
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
        actor = caller.actor(caller.require(role))
        filled = await fill_in(request.app.state.db, context, name, body)  # what the platform's read side says
        return await send(nc, context, name, command_of(model, body, actor, idempotency_key, filled))

    # The body model, resolved for FastAPI (the module's annotations are strings).
    post.__annotations__ = {"request": Request, "body": body_type, "nc": Nats, "caller": Caller,
                            "idempotency_key": IdempotencyKey, "return": JSONResponse}
    post.__name__ = name
    summary = model.__doc__.splitlines()[0] if model.__doc__ else name.replace("_", " ")
    router.post(f"/commands/{context}/{name}", status_code=201, tags=[context], summary=summary,
                description=f"Needs the role {role}; the actor is the signed-in account.")(post)


for _context, _commands in CATALOGUE.items():  # every command of the catalogue, in its order
    for _name, _model in _commands.items():
        add_command_route(_context, _name, _model)
