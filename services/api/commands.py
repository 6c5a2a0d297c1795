"""Commands over HTTP: the body is the command without `actor`; the signed-in account is the actor.

Who acted is never the client's to say: the body model of each command is the command model less
`actor`, with extra fields forbidden, so a body naming an actor is refused (422) instead of being
ignored. The API fills the actor from the token (operator = username, her office, the role she acts
in), and the rows of a bulk command get the same actor. The services still decide whether the actor
may act on what the command names (403 from their reply).
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from contracts.accounts import Role
from contracts.commands import Command
from contracts.envelope import Actor
from services.api.auth import Caller, signed_in

Send = Callable[[str, str, Command], Awaitable[JSONResponse]]
# Deciding on a proposal is the approver's; everything else is the caseworker's everyday work.
APPROVER_COMMANDS = frozenset({("pairing", "approve_pair"), ("pairing", "reject_pair")})


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
        if name == "actor":
            continue
        rows = _rows_of(info.annotation)
        fields[name] = (list[body_model(rows)] if rows else info.annotation, info)
    return create_model(f"{model.__name__}Body", __config__=ConfigDict(extra="forbid", frozen=True),
                        __doc__=model.__doc__, **fields)


def command_of(model: type[Command], body: BaseModel, actor: Actor) -> Command:
    data = body.model_dump()
    data["actor"] = actor
    for name, info in model.model_fields.items():
        if _rows_of(info.annotation) and data.get(name) is not None:
            data[name] = [{**row, "actor": actor} for row in data[name]]
    try:
        return model.model_validate(data)
    except ValidationError as error:  # cannot happen while the body model mirrors the command; said plainly if so
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors()]) from None


def add_command_route(api: FastAPI, send: Send, context: str, name: str, model: type[Command]) -> None:
    body_type, role = body_model(model), role_for(context, name)

    async def post(request: Request, body: BaseModel, caller: Caller = Depends(signed_in)) -> JSONResponse:
        actor = caller.actor(caller.require(role))
        return await send(context, name, command_of(model, body, actor))

    # The body model, resolved for FastAPI (the module's annotations are strings).
    post.__annotations__ = {"request": Request, "body": body_type, "caller": Caller, "return": JSONResponse}
    post.__name__ = name
    summary = model.__doc__.splitlines()[0] if model.__doc__ else name.replace("_", " ")
    api.post(f"/commands/{context}/{name}", status_code=201, tags=[context], summary=summary,
             description=f"Needs the role {role}; the actor is the signed-in account.")(post)
