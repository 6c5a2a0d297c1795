"""Operators act only within their own federation office's subtree."""

from __future__ import annotations

from contracts.envelope import Actor
from contracts.regions import InvalidRegion, Region, parse_region
from services.shared.errors import Forbidden, InvalidCommand


def actor_region(actor: Actor) -> Region:
    try:
        region = parse_region(actor.region)
    except InvalidRegion as error:
        raise InvalidCommand("actor.region", str(error)) from None
    if region.level is not actor.level:
        raise InvalidCommand(
            "actor.region", f"{actor.region!r} is a {region.level} code but actor.level is {actor.level}"
        )
    return region


def require_within(actor: Actor, region: Region, what: str) -> None:
    if not actor_region(actor).contains(region):
        raise Forbidden(
            f"operator {actor.operator_id} of region {actor.region} may not act on {what} in {region.code}"
        )
