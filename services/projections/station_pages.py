"""Read model: the stations (驿站) of a region — opening days, open or closed — and the activities
held at each: how many, of what kind, their attendance as given (person-times: everyone present,
named or not) and those named among them (children on file, volunteers, guardians). No names: an
activity's children are counted, never listed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Column, Date, Integer, String, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.activity.care import StationActivityLogged
from contracts.intake.volunteers import StationClosed, StationOpened
from contracts.regions import Region
from services.shared.db import insert_if_absent
from services.shared.eventlog import StoredEvent
from services.shared.follower.projection import metadata

stations = Table(
    "station_pages", metadata,
    Column("station_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("opening_days", JSON, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date),
)
activities = Table(
    "station_page_activities", metadata,
    Column("activity_id", String(64), primary_key=True),
    Column("station_id", String(64), nullable=False, index=True),
    Column("held_on", Date, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("person_times", Integer, nullable=False),
    Column("children", Integer, nullable=False),
    Column("volunteers", Integer, nullable=False),
    Column("guardians", Integer, nullable=False),
)
COUNTS = ("person_times", "children", "volunteers", "guardians", "minutes")


def _day(stored: StoredEvent, field: str) -> date:
    return getattr(stored.event, field, None) or stored.envelope.occurred_at.date()


class StationPages:
    name = "station_pages"
    tables = (stations, activities)
    handles = frozenset({StationOpened, StationClosed, StationActivityLogged})

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        dialect = conn.dialect.name
        for stored in events:
            e = stored.event
            if isinstance(e, StationOpened):
                await conn.execute(insert_if_absent(dialect, stations), [dict(
                    station_id=e.station_id, region=e.region, name=e.name, opening_days=[d.value for d in e.opening_days],
                    opened_on=_day(stored, "opened_on"), closed_on=None)])
            elif isinstance(e, StationClosed):
                await conn.execute(update(stations).where(stations.c.station_id == e.station_id)
                                   .values(closed_on=_day(stored, "closed_on")))
            else:
                await conn.execute(insert_if_absent(dialect, activities), [dict(
                    activity_id=e.activity_id, station_id=e.station_id, held_on=e.held_on, kind=e.kind.value,
                    minutes=e.duration_minutes, person_times=e.person_times, children=len(e.child_ids),
                    volunteers=len(e.volunteer_ids), guardians=e.guardians_present)])


def _station_row(row) -> dict:
    return {"station_id": row.station_id, "region": row.region, "name": row.name,
            "opening_days": list(row.opening_days), "opened_on": row.opened_on.isoformat(),
            **({"closed_on": row.closed_on.isoformat()} if row.closed_on else {})}


def _sums(query):
    return query.add_columns(func.count().label("activities"), *(func.sum(activities.c[c]).label(c) for c in COUNTS))


def _counted(row) -> dict:
    return {"activities": int(row.activities or 0), **{c: int(getattr(row, c) or 0) for c in COUNTS}}


def _between(query, since: date, until: date):
    return query.where(activities.c.held_on.between(since, until))


async def region_stations(conn: AsyncConnection, region: Region, since: date, until: date) -> list[dict]:
    """The stations of a region's subtree with what was held at each from `since` to `until`."""
    held = _between(_sums(select(activities.c.station_id)), since, until).group_by(activities.c.station_id).subquery()
    query = (select(stations, held).select_from(stations.outerjoin(held, held.c.station_id == stations.c.station_id))
             .order_by(stations.c.region, stations.c.name, stations.c.station_id))
    if region.prefix:
        query = query.where(stations.c.region.startswith(region.prefix, autoescape=True))
    return [{**_station_row(row), **_counted(row)} for row in await conn.execute(query)]


async def station_page(conn: AsyncConnection, station_id: str, since: date, until: date,
                       recent: int = 50) -> dict | None:
    """A station, its activities from `since` to `until` in total and by kind, and the latest held."""
    row = (await conn.execute(select(stations).where(stations.c.station_id == station_id))).first()
    if row is None:
        return None
    mine = activities.c.station_id == station_id
    total = (await conn.execute(_between(_sums(select()).select_from(activities).where(mine), since, until))).one()
    kinds = await conn.execute(_between(_sums(select(activities.c.kind)).where(mine), since, until)
                               .group_by(activities.c.kind).order_by(activities.c.kind))
    latest = await conn.execute(_between(select(activities).where(mine), since, until)
                                .order_by(activities.c.held_on.desc(), activities.c.activity_id).limit(recent))
    return {**_station_row(row), **_counted(total),
            "by_kind": [{"kind": k.kind, **_counted(k)} for k in kinds],
            "recent": [{"activity_id": a.activity_id, "held_on": a.held_on.isoformat(), "kind": a.kind,
                        **{c: getattr(a, c) for c in COUNTS}} for a in latest]}
