"""What a signed-in caller may read: her office's subtree, and personal data only in a role that
works with files (caseworker, approver); every read of children's names is written to the access
log before the answer leaves."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import HTTPException, Request

from contracts.regions import InvalidRegion, Region, UnknownRegion, known_region, parse_region
from services.api.auth import Caller, log_reads

# Paging beyond this is no listing anyone reads, and larger numbers overflow the databases' integers.
MAX_OFFSET = 10_000_000
# Fields of a child's row that identify her: shown only to roles that see personal data.
CHILD_PERSONAL_FIELDS = ("name", "birth_date")


def region_of(code: str, where: str = "region") -> Region:
    try:
        return parse_region(code)
    except InvalidRegion as error:
        raise HTTPException(422, f"{where}: {error}") from None


def readable_region(caller: Caller, code: str, where: str = "region") -> Region:
    """The region named in the request, if it is within the caller's subtree (422 malformed, 404 a
    code that names no division — a typo must not read as an empty district —, 403 outside)."""
    region = region_of(code, where)
    try:
        known_region(code)
    except UnknownRegion as error:
        raise HTTPException(404, str(error)) from None
    caller.require_within(region, f"the read models of {region.code}")
    return region


def require_readable(caller: Caller, code: str, what: str) -> None:
    """403 unless `code` (the region that owns what is read) lies within the caller's subtree."""
    caller.require_within(region_of(code, "the stored region"), what)


def without_personal_data(caller: Caller, rows: list[dict], fields: tuple[str, ...] = CHILD_PERSONAL_FIELDS
                          ) -> list[dict]:
    if caller.sees_personal_data:
        return rows
    return [{k: v for k, v in row.items() if k not in fields} for row in rows]


async def log_children_read(request: Request, caller: Caller, children: Iterable[tuple[str, str]]) -> None:
    """One access-log entry per child read, under the child's own region (so that the admins of
    that region see it), all committed in one write before the response is returned. `children`:
    (child_id, region)."""
    reads = list(dict.fromkeys(children))
    if reads:
        route = request.scope["route"].path if request.scope.get("route") else request.url.path
        await log_reads(request, caller, route, reads)
