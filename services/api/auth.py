"""Signing in to the HTTP API, and who is calling: `POST /auth/token` (OAuth2 password form) gives a
bearer token; `signed_in` turns a request's token into the `Caller` every other route depends on.

The account behind a token is kept in the API process's memory only until its next event (every API
process follows them: services.accounts.cache), so disabling an account or taking a role takes effect
at once, in every API process, not when its tokens expire.
The account service is `request.app.state.accounts` (services.api.deps; set by the platform, or by a test).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

from contracts.accounts import PERSONAL_DATA_ROLES, Role
from contracts.envelope import Actor
from contracts.regions import Region
from services.accounts.domain import Account, actor_of
from services.accounts.errors import LockedOut, SignInRefused
from services.api.deps import accounts_of
from services.api.schemas import Me, read

TOKEN_URL = "/auth/token"
# auto_error off: a missing token is answered here, with a detail saying what is missing.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
router = APIRouter(tags=["accounts"])
BEARER = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Caller:
    username: str
    office: Region
    roles: frozenset[Role]

    @classmethod
    def of(cls, account: Account) -> Caller:
        return cls(account.username, account.office, account.roles)

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def sees_personal_data(self) -> bool:
        return bool(self.roles & PERSONAL_DATA_ROLES)

    def actor(self, role: Role) -> Actor:
        return actor_of(self, role)

    def require(self, *roles: Role) -> Role:
        """The first of `roles` she holds; 403 if none."""
        held = next((role for role in roles if role in self.roles), None)
        if held is None:
            raise HTTPException(403, f"{self.username} needs the role {' or '.join(roles)} for this")
        return held

    def require_within(self, region: Region, what: str = "") -> None:
        if not self.office.contains(region):
            thing = what or f"region {region.code}"
            raise HTTPException(403, f"{thing} is outside {self.username}'s office {self.office.code}")


async def signed_in(request: Request, token: str | None = Depends(oauth2_scheme)) -> Caller:
    if not token:
        raise HTTPException(401, "not signed in: send 'Authorization: Bearer <token>' "
                                 f"(get one from POST {TOKEN_URL})", headers=BEARER)
    try:
        account = await accounts_of(request).account_of_token(token)
    except SignInRefused as refused:
        raise HTTPException(401, str(refused), headers=BEARER) from None
    caller = Caller.of(account)
    request.state.caller = caller
    return caller


async def log_access(request: Request, caller: Caller, route: str, child_ids: list[str], region: str) -> None:
    """One access-log entry per child whose name the response holds (one without a child if none);
    committed before it returns, so a response is never sent unlogged."""
    await accounts_of(request).record_access(caller, route, list(child_ids), region)


async def log_reads(request: Request, caller: Caller, route: str, reads: list[tuple[str, str]]) -> None:
    """An access-log entry per (child, region) read, in one write, committed before it returns."""
    await accounts_of(request).record_reads(caller, route, reads)


@router.post(TOKEN_URL)
async def token(request: Request, form: OAuth2PasswordRequestForm = Depends()) -> dict:
    try:
        issued = await accounts_of(request).sign_in(form.username, form.password)
    except LockedOut as locked:
        raise HTTPException(429, str(locked), headers={"Retry-After": str(locked.retry_after)}) from None
    except SignInRefused as refused:
        raise HTTPException(401, str(refused), headers=BEARER) from None
    return issued.reply()


@router.get("/auth/me", **read(Me))
async def me(caller: Caller = Depends(signed_in)) -> dict:
    return {"username": caller.username, "office": caller.office.code, "level": caller.office.level.value,
            "roles": sorted(caller.roles)}
