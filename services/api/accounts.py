"""Managing accounts over HTTP (admins, within their office's subtree) and reading the access log.

Bodies are declared models (in the OpenAPI like every other); a refused one is answered without the
value of a password or of the whole body (services.api.errors never echoes them). Errors of the account service come back as the command routes
give theirs: {"code", "message", "details"} with the status of the code (services.api.errors).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict

from contracts.accounts import Role, is_username, USERNAME_PATTERN
from contracts.replies import Error
from services.accounts.domain import office_named, roles_named
from services.api.auth import Caller, signed_in
from services.api.deps import accounts_of
from services.api.errors import refusal
from services.api.schemas import AccessLog, Accounts, read
from services.shared.errors import AixinError

router = APIRouter(tags=["accounts"])


def _unicode(value: object) -> object:
    """A lone surrogate (U+D800-U+DFFF) is no Unicode text: hashing such a password would fail (a 500)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(f"lone surrogate U+{ord(value[error.start]):04X} at character {error.start}: "
                             "not Unicode text") from None
    return value


Password = Annotated[str, BeforeValidator(_unicode)]


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str
    office: str
    roles: list[str]
    password: Password


class RoleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str


class PasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password


async def admin(caller: Caller = Depends(signed_in)) -> Caller:
    """An admin signed in; 403 before her body is validated."""
    caller.require(Role.admin)
    return caller


async def managing(username: str, caller: Caller = Depends(signed_in)) -> Caller:
    """Her own password anyone may change; another's only an admin managing that account."""
    if username != caller.username:
        caller.require(Role.admin)
    return caller


def _username(username: str) -> str:
    if not is_username(username):
        raise HTTPException(422, f"{username!r} is not a username (they match {USERNAME_PATTERN})")
    return username


def _role(name: str) -> Role:
    try:
        return Role(name)
    except ValueError:
        raise HTTPException(422, f"{name!r} is not a role; roles are {', '.join(Role)}") from None


def _refused(error: AixinError) -> JSONResponse:
    return refusal(Error(code=error.code, message=error.message, details=error.details))


@router.post("/accounts", status_code=201)
async def create_account(request: Request, new: NewAccount, caller: Caller = Depends(admin)):
    try:
        account = await accounts_of(request).create(
            caller, new.username, office_named(new.office), roles_named(new.roles), new.password)
    except AixinError as error:
        return _refused(error)
    return account.view()


@router.get("/accounts", **read(Accounts))
async def list_accounts(request: Request, caller: Caller = Depends(signed_in)):
    caller.require(Role.admin)
    try:
        found = await accounts_of(request).within(caller)
    except AixinError as error:
        return _refused(error)
    return {"office": caller.office.code, "accounts": [account.view() for account in found]}


@router.post("/accounts/{username}/roles")
async def grant_role(request: Request, username: str, body: RoleBody, caller: Caller = Depends(admin)):
    role = _role(body.role)
    return await _change(accounts_of(request).grant(caller, _username(username), role))


@router.delete("/accounts/{username}/roles/{role}")
async def revoke_role(request: Request, username: str, role: str, caller: Caller = Depends(signed_in)):
    caller.require(Role.admin)
    return await _change(accounts_of(request).revoke(caller, _username(username), _role(role)))


@router.post("/accounts/{username}/disable")
async def disable_account(request: Request, username: str, caller: Caller = Depends(signed_in)):
    caller.require(Role.admin)
    return await _change(accounts_of(request).disable(caller, _username(username)))


@router.post("/accounts/{username}/password")
async def change_password(request: Request, username: str, body: PasswordBody,
                          caller: Caller = Depends(managing)):
    return await _change(accounts_of(request).change_password(caller, _username(username), body.password))


@router.get("/audit/access", **read(AccessLog))
async def access_log(request: Request, child_id: str | None = Query(None, max_length=64),
                     account: str | None = Query(None, max_length=32), caller: Caller = Depends(signed_in)):
    caller.require(Role.admin)
    try:
        entries = await accounts_of(request).access_entries(caller, child_id, account)
    except AixinError as error:
        return _refused(error)
    return {"office": caller.office.code, "entries": entries}


async def _change(step):
    try:
        account = await step
    except AixinError as error:
        return _refused(error)
    return account.view()
