"""Names of the children and volunteers a response is about, for callers who may see personal data
(none for the others): read from the children and volunteer directories, and every child named
written to the access log before the answer leaves (services.api.scope)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection

from services.api.auth import Caller
from services.api.scope import log_children_read
from services.projections.children_directory import child_names
from services.projections.volunteer_directory import volunteer_names
from services.shared.privacy import KeyStore


@dataclass
class Names:
    children: dict[str, str] = field(default_factory=dict)
    volunteers: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)  # each named child's region

    def child(self, row: dict, key: str = "child_id", to: str = "child_name") -> dict:
        """The row with the child's name beside its id, if there is one to give."""
        return {**row, to: self.children[row[key]]} if row.get(key) in self.children else row

    def volunteer(self, row: dict, key: str = "volunteer_id", to: str = "volunteer_name") -> dict:
        return {**row, to: self.volunteers[row[key]]} if row.get(key) in self.volunteers else row


async def names_for(conn: AsyncConnection, keys: KeyStore, caller: Caller, child_ids: Iterable[str] = (),
                    volunteer_ids: Iterable[str] = ()) -> Names:
    """The names this caller may read; none unless her role sees personal data."""
    if not caller.sees_personal_data:
        return Names()
    found = await child_names(conn, keys, child_ids)
    return Names({c: name for c, (name, _) in found.items()}, await volunteer_names(conn, keys, volunteer_ids),
                 {c: region for c, (_, region) in found.items()})


async def log_named(request: Request, caller: Caller, names: Names) -> None:
    """Log the reading of every child named, under the child's own region."""
    if names.children:
        await log_children_read(request, caller, names.regions.items())

