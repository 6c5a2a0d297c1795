"""Command endpoints over NATS request/reply: every request gets a typed `Reply`, never silence.

The payload is decoded here rather than by FastStream, so that a malformed message (not JSON, not
UTF-8, nested without end, wrong fields) is answered with an `invalid` reply naming the problem and
where it is (services.shared.decoding), and never stops the service.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from nats.errors import ConnectionClosedError, NoRespondersError, TimeoutError as NatsTimeout
from nats.js.errors import NoStreamResponseError, ServiceUnavailableError
from pydantic import ValidationError

from contracts.commands import Command
from contracts.replies import Error, ErrorCode, ErrorDetail, Reply
from contracts.subjects import command_subject
from services.shared.command_server import CommandRouter, CommandServer
from services.shared.decoding import Undecodable, decode
from services.shared.errors import AixinError
from services.shared.unit_of_work import Deps

Handler = Callable[[Deps, Any], Awaitable[dict[str, Any]]]
Routes = dict[str, tuple[type[Command], Handler]]
log = logging.getLogger("aixin.commands")
LOG_UNAVAILABLE = "the event log is unavailable, retry"
# The log's server gone mid-request, or its stream without a leader for the moment (a node of the
# cluster died and the others are electing one): nothing is wrong with the command.
UNAVAILABLE_ERRORS = (NatsTimeout, NoRespondersError, NoStreamResponseError, ServiceUnavailableError,
                      ConnectionClosedError)


async def execute(deps: Deps, model: type[Command], handler: Handler, body: bytes) -> Reply:
    try:
        command = decode(model, body)
    except ValidationError as error:
        return _invalid(model, error)
    except Undecodable as error:
        return _refused(model, error.where, error.message)
    try:
        return Reply(ok=True, result=await handler(deps, command))
    except AixinError as error:
        return Reply(ok=False, error=Error(code=error.code, message=error.message, details=error.details))
    except UNAVAILABLE_ERRORS as error:
        log.warning("command %s: the event log is unavailable (%r); the client sends it again", model.__name__, error)
        return Reply(ok=False, error=Error(code=ErrorCode.unavailable, message=LOG_UNAVAILABLE))
    except PermissionError as error:  # personal data of someone whose keys were destroyed
        return Reply(ok=False, error=Error(code=ErrorCode.rule_violated, message=str(error)))
    except Exception:  # an unexpected fault must still answer, and the service must go on
        log.exception("command %s failed", model.__name__)
        return Reply(ok=False, error=Error(code=ErrorCode.internal,
                                           message=f"{model.__name__} failed unexpectedly; see the service log"))


def _refused(model: type[Command], where: str, message: str) -> Reply:
    return Reply(ok=False, error=Error(code=ErrorCode.invalid, message=f"{model.__name__}: {where}: {message}",
                                       details=[ErrorDetail(loc=[where], msg=message)]))


def _invalid(model: type[Command], error: ValidationError) -> Reply:
    details = [ErrorDetail(loc=list(e["loc"]) or ["body"], msg=e["msg"]) for e in error.errors()]
    if not details:  # a ValidationError always lists its errors; should one not, still say what failed
        return _refused(model, "body", "is not a valid command")
    first = details[0]
    where = ".".join(map(str, first.loc))
    return Reply(ok=False, error=Error(
        code=ErrorCode.invalid, message=f"{model.__name__}: {where}: {first.msg}", details=details))


def command_broker(url: str | list[str], **options: Any) -> CommandServer:
    """The server of command routers: nats-py subscriptions, not FastStream's consume path (see
    `services.shared.command_server` for what that path cost a command). Takes nats-py's
    connect options, and `graceful_timeout` for its stop."""
    return CommandServer(url, options)


def command_router(context: str, routes: Routes, deps: Deps, workers: int = 32) -> CommandRouter:
    """One NATS subscriber per command, explicit in `routes`; a queue group lets replicas share work."""
    return CommandRouter(queue=f"aixin-{context}", workers=workers, endpoints={
        command_subject(context, name): _endpoint(deps, model, handler) for name, (model, handler) in routes.items()})


def _endpoint(deps: Deps, model: type[Command], handler: Handler):
    async def endpoint(body: bytes) -> bytes:
        return _encoded(model, await execute(deps, model, handler, body))

    endpoint.__name__ = f"handle_{model.__name__}"
    return endpoint


def _encoded(model: type[Command], reply: Reply) -> bytes:
    """The reply as JSON; a result that cannot be serialised is an internal fault, answered as one."""
    try:
        return reply.model_dump_json(exclude_none=True).encode()
    except Exception:
        log.exception("reply to %s could not be serialised", model.__name__)
        return Reply(ok=False, error=Error(
            code=ErrorCode.internal, message=f"{model.__name__}: the reply could not be serialised; "
                                             "see the service log")).model_dump_json(exclude_none=True).encode()


def decode_reply(data: bytes) -> Reply:
    return Reply.model_validate(json.loads(data))
