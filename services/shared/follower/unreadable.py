"""The messages of the log that the followers could not read (their dead letters): where each stands
(stream sequence, subject, the aggregate and region the subject names) and why; and the events they
could not apply (parked, `services.shared.follower.parking`), with the error — for `aixin doctor`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.regions import InvalidRegion, Region, parse_region
from contracts.subjects import EVENTS_ROOT, PLACEHOLDER
from services.shared.follower.projection import dead_letters, parked

# aixin.evt.<province>.<city>.<district>.<street>.<community>.<aggregate type>.<id>
EVENT_SUBJECT_TOKENS = len(EVENTS_ROOT.split(".")) + 5 + 2


def where(subject: str) -> tuple[str | None, str | None, str | None]:
    """The aggregate type, id and region code a subject names; None for what it does not say (a
    message can be on any subject of the stream, well-formed or not)."""
    tokens = subject.split(".")
    if len(tokens) != EVENT_SUBJECT_TOKENS:
        return None, None, None
    regions = [t for t in tokens[-7:-2] if t != PLACEHOLDER]
    try:
        region = parse_region(regions[-1]).code if regions else "CN"
    except InvalidRegion:
        region = None
    return tokens[-2], tokens[-1], region


async def unreadable_in(conn: AsyncConnection, office: Region) -> list[dict]:
    """The unreadable messages within `office`'s subtree, in log order; one on a subject that names
    no region is shown to the national office only."""
    found = []
    for row in await conn.execute(select(dead_letters).order_by(dead_letters.c.seq)):
        aggregate_type, aggregate_id, region = where(row.subject)
        outside = office.prefix if region is None else not office.contains(parse_region(region))
        if outside:
            continue
        found.append({"seq": row.seq, "subject": row.subject, "aggregate_type": aggregate_type,
                      "aggregate_id": aggregate_id, "region": region, "reason": row.reason})
    return found


async def parked_in(conn: AsyncConnection, office: Region) -> list[dict]:
    """The parked events of the regions within `office`'s subtree, by read model, in log order."""
    found = []
    for row in await conn.execute(select(parked).order_by(parked.c.projection, parked.c.seq)):
        if office.contains(parse_region(row.region)):
            found.append({**row._asdict(), "parked_at": row.parked_at.isoformat()})
    return found
