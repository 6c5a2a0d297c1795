"""Read model: how many gift packs (暖心包) were delivered in a region — by version, by team, by station.

Counts are kept per child's community, team, station and version; a region's figures are sums over
the codes starting with its prefix.
"""

from __future__ import annotations

import functools
from collections import Counter

from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity.giving import GiftPackDelivered
from contracts.regions import Region
from services.shared.follower.projection import metadata
from services.shared.db import upsert
from services.shared.eventlog import StoredEvent

NO_STATION = ""  # a key column cannot be NULL: packs handed over at home

deliveries = Table(
    "gift_pack_deliveries", metadata,
    Column("region", String(12), primary_key=True),
    Column("team_id", String(64), primary_key=True),
    Column("station_id", String(64), primary_key=True),
    Column("version", String(16), primary_key=True),
    Column("packs", Integer, nullable=False),
)


def _delivered(event: GiftPackDelivered, stored: StoredEvent) -> tuple[str, str, str, str]:
    return stored.envelope.region, event.team_id, event.station_id or NO_STATION, event.version.value


# Each event adds one pack to a count; the table gives the count's key. A batch's packs are summed
# first, so each count is written once per batch however many packs it gained.
COUNTED = {GiftPackDelivered: _delivered}


class GiftPackDeliveries:
    name = "gift_pack_deliveries"
    tables = (deliveries,)
    handles = frozenset(COUNTED)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        counts = Counter(COUNTED[type(stored.event)](stored.event, stored) for stored in events)
        await conn.execute(_add_packs(conn.dialect.name), [
            {"region": region, "team_id": team_id, "station_id": station_id, "version": version, "packs": packs}
            for (region, team_id, station_id, version), packs in sorted(counts.items())])


@functools.cache
def _add_packs(dialect: str):
    """Add to a count (or start it): one statement, built once and run with every count of a batch."""
    statement = upsert(dialect, deliveries)
    return statement.on_conflict_do_update(index_elements=["region", "team_id", "station_id", "version"],
                                           set_={"packs": deliveries.c.packs + statement.excluded.packs})


async def gift_packs_delivered(conn: AsyncConnection, region: Region) -> dict:
    def by(column):
        query = select(column, func.sum(deliveries.c.packs)).group_by(column)
        if region.prefix:
            query = query.where(deliveries.c.region.startswith(region.prefix, autoescape=True))
        return query

    found = {name: {key: int(n) for key, n in await conn.execute(by(deliveries.c[name]))}
             for name in ("version", "team_id", "station_id")}
    stations = {key or "(no station)": n for key, n in found["station_id"].items()}
    return {"packs": sum(found["version"].values()), "by_version": found["version"],
            "by_team": found["team_id"], "by_station": stations}
