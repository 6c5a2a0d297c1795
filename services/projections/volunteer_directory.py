"""Read model: who each volunteer is, to name her in matching, approval and compliance output for
readers who may see personal data.

As in the children directory, names stay sealed in the rows and are opened with the key store when
read, so erasing a volunteer's key erases her name here too.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.intake.registration import VolunteerRecruited
from services.shared.db import insert_if_absent
from services.shared.eventlog import StoredEvent
from services.shared.many_rows import execute_many
from services.shared.follower.projection import metadata
from services.shared.privacy import KeyStore

volunteers = Table(
    "volunteer_directory", metadata,
    Column("volunteer_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("personal", JSON, nullable=False),  # the sealed {name, phone}, never the name itself
)


def _recruited(event: VolunteerRecruited) -> dict:
    return dict(volunteer_id=event.volunteer_id, region=event.region, personal=event.personal.model_dump())


class VolunteerDirectory:
    name = "volunteer_directory"
    tables = (volunteers,)
    handles = frozenset({VolunteerRecruited})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        # Rows are only ever added (the first stands: recruited twice, a replayed list), and nothing
        # reads them within a batch: one statement, run with every row of the batch.
        await execute_many(conn, insert_if_absent(conn.dialect.name, volunteers), [_recruited(s.event) for s in events])


async def volunteer_names(conn: AsyncConnection, keys: KeyStore, volunteer_ids) -> dict[str, str]:
    """The names of these volunteers (those with a row here), for a reader who may see them."""
    wanted = sorted(set(volunteer_ids))
    if not wanted:
        return {}
    query = select(volunteers.c.volunteer_id, volunteers.c.personal).where(volunteers.c.volunteer_id.in_(wanted))
    rows = (await conn.execute(query)).all()
    # Their keys in a few queries, not one per volunteer (a batch names a district's volunteers).
    await keys.prefetch([str(row.personal["key_id"]) for row in rows
                         if isinstance(row.personal, dict) and row.personal.get("key_id")])
    return {row.volunteer_id: await keys.name_of(row.personal) for row in rows}


async def find_volunteers(conn: AsyncConnection, keys: KeyStore, prefix: str, text: str, limit: int = 20,
                          scan: int = 20_000) -> tuple[list[dict], bool]:
    """The volunteers of a region's subtree (its code's `prefix`) whose name holds `text`, and
    whether every name was looked at (each is opened to be matched, as in the children's)."""
    query = select(volunteers).order_by(volunteers.c.region, volunteers.c.volunteer_id).limit(scan + 1)
    if prefix:
        query = query.where(volunteers.c.region.startswith(prefix, autoescape=True))
    rows = (await conn.execute(query)).all()
    await keys.prefetch([str(row.personal["key_id"]) for row in rows[:scan]
                         if isinstance(row.personal, dict) and row.personal.get("key_id")])
    found, wanted = [], text.casefold()
    for row in rows[:scan]:
        name = await keys.name_of(row.personal)
        if name and wanted in name.casefold():
            found.append({"volunteer_id": row.volunteer_id, "name": name, "region": row.region})
            if len(found) >= limit:
                break
    return found, len(rows) <= scan
