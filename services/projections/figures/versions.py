"""A ledger kept by an older version of `figure_ledger`, brought up to this one at start.

Tables a version added are filled from the ledger's own rows (`ledger.roll_up_existing_ledger`,
`ledger.total_villages_of_existing_ledger`). Figures a version added or counted anew cannot be: the
split of person-times (those served apart from the volunteers serving, the attendance as given),
the trainings held at a station and the federation staff among volunteers are in the log's events,
not in the ledger's rows. A ledger without them (its volunteers' table lacks `staff`) gets the
column at once, so that the live ledger goes on following the log with the new rules, and asks to
be rebuilt from the log beside the live one (`services.shared.follower.rebuild`): its figures stay
as they were until the rebuilt ledger takes their place. A rebuild under way survives a restart
(its shadow checkpoints); were the process stopped between this start and the rebuild's first
batch, `aixin replay --projection figure_ledger` does the same by hand.
"""

from __future__ import annotations

from sqlalchemy import inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.projections.figures.tables import ledger, volunteers

ADDED_COLUMNS = {volunteers: (("staff", "BOOLEAN NOT NULL DEFAULT false"),)}


async def add_missing_columns(conn: AsyncConnection) -> bool:
    """Add the columns a ledger of an older version lacks; True if it had rows then (its figures
    must be rebuilt from the log), False for a ledger already of this version, or an empty one."""
    added = False
    for table, columns in ADDED_COLUMNS.items():
        present = {c["name"] for c in await conn.run_sync(lambda c, t=table: inspect(c).get_columns(t.name))}
        name = conn.dialect.identifier_preparer.format_table(table)
        for column, definition in columns:
            if column not in present:
                await conn.execute(text(f"ALTER TABLE {name} ADD COLUMN {column} {definition}"))
                added = True
    return added and (await conn.execute(select(ledger.c.figure).limit(1))).first() is not None
