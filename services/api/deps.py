"""What a route needs, injected: the resources `create_api` puts on `app.state` once (the read
database, the key store, the NATS connection, the event log, the account service, the compliance
cache), each yielded by a FastAPI dependency. A route declares them in its signature
(`db: Engine`, `keys: Keys`, …) and captures nothing, so a router is a module-level `APIRouter`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from services.accounts.service import AccountService
from services.projections.pair_compliance.cache import ComplianceCache
from services.shared.eventlog import EventLog
from services.shared.privacy import KeyStore


def set_resources(app: FastAPI, nc: Any, event_log: EventLog, db: AsyncEngine, keys: KeyStore,
                  accounts: AccountService | None = None) -> None:
    """Put the API's resources where its dependencies find them; once, as the app is made."""
    app.state.nc, app.state.event_log, app.state.db, app.state.keys = nc, event_log, db, keys
    app.state.accounts = accounts
    app.state.compliance = ComplianceCache()  # this API's database's


async def read_db(request: Request) -> AsyncEngine:
    return request.app.state.db


async def key_store(request: Request) -> KeyStore:
    return request.app.state.keys


async def nats_connection(request: Request) -> Any:
    return request.app.state.nc


async def the_event_log(request: Request) -> EventLog:
    return request.app.state.event_log


async def compliance_cache(request: Request) -> ComplianceCache:
    return request.app.state.compliance


def accounts_of(request: Request) -> AccountService:
    """Called directly by the token check; routes take `Accounts`, its async twin."""
    service = getattr(request.app.state, "accounts", None)
    if service is None:  # a wiring fault, not the caller's: say so rather than fail with a 500
        raise HTTPException(503, "accounts are not available in this API process")
    return service


async def _accounts(request: Request) -> AccountService:
    return accounts_of(request)


# Every dependency is a coroutine: FastAPI runs a plain function in its thread pool, a thread hop
# per dependency per request (6 % of the API process's CPU for a command).
Engine = Annotated[AsyncEngine, Depends(read_db)]
Keys = Annotated[KeyStore, Depends(key_store)]
Nats = Annotated[Any, Depends(nats_connection)]
Log = Annotated[EventLog, Depends(the_event_log)]
Compliance = Annotated[ComplianceCache, Depends(compliance_cache)]
Accounts = Annotated[AccountService, Depends(_accounts)]
