"""What an operator repairs: the messages of the log that cannot be read, as the log followers met
them (admins and systems, their subtree; a subject and a reason hold no personal data)."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.accounts import Role
from services.api.auth import Caller, signed_in
from services.shared.follower.unreadable import unreadable_in


def add_operations_routes(api: FastAPI, db: AsyncEngine) -> None:
    @api.get("/operations/unreadable", tags=["operations"])
    async def unreadable(caller: Caller = Depends(signed_in)) -> dict:
        """Messages of the log that are not aixin events or do not fit their type: stream sequence,
        subject, the aggregate and region it names, and why; commands on that aggregate are refused
        until it is repaired."""
        caller.require(Role.admin, Role.system)
        async with db.connect() as conn:
            found = await unreadable_in(conn, caller.office)
        return {"office": caller.office.code, "unreadable": found}
