"""Read model: the volunteer teams (志愿服务队) of a region and who is in each, now and before.

A membership is a row from the day she joined (at recruitment, or by joining or moving in) to the
day she left (by leaving, moving out or withdrawing from the programme); a volunteer has at most one
open row. Names are not kept here: a reader who may see them takes them from the volunteer directory.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Column, Date, String, Table, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.intake.registration import VolunteerRecruited
from contracts.intake.volunteers import (TeamFormed, VolunteerJoinedTeam, VolunteerLeftTeam, VolunteerMovedTeam,
                                         VolunteerWithdrew)
from contracts.regions import Region
from services.shared.db import insert_if_absent
from services.shared.eventlog import StoredEvent
from services.shared.follower.projection import metadata

teams = Table(
    "roster_teams", metadata,
    Column("team_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("level", String(16), nullable=False),
    Column("name", String(200), nullable=False),  # a team's name is the office's, no one's personal data
    Column("formed_on", Date, nullable=False),
)
members = Table(
    "roster_members", metadata,
    Column("volunteer_id", String(64), primary_key=True),
    Column("since_seq", BigInteger, primary_key=True),  # the stream sequence of the joining event
    Column("team_id", String(64), nullable=False, index=True),
    Column("region", String(12), nullable=False),  # the volunteer's
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date),
)


def _day(stored: StoredEvent, field: str) -> date:
    return getattr(stored.event, field, None) or stored.envelope.occurred_at.date()


async def _join(conn: AsyncConnection, stored: StoredEvent, volunteer_id: str, team_id: str, day: date) -> None:
    row = dict(volunteer_id=volunteer_id, since_seq=stored.seq, team_id=team_id, region=stored.envelope.region,
               joined_on=day, left_on=None)
    await conn.execute(insert_if_absent(conn.dialect.name, members), [row])


async def _leave(conn: AsyncConnection, volunteer_id: str, day: date) -> None:
    await conn.execute(update(members).where(members.c.volunteer_id == volunteer_id, members.c.left_on.is_(None))
                       .values(left_on=day))


async def _formed(conn: AsyncConnection, stored: StoredEvent) -> None:
    e: TeamFormed = stored.event
    await conn.execute(insert_if_absent(conn.dialect.name, teams), [dict(
        team_id=e.team_id, region=e.region, level=e.level.value, name=e.name, formed_on=_day(stored, "formed_on"))])


async def _recruited(conn: AsyncConnection, stored: StoredEvent) -> None:
    e: VolunteerRecruited = stored.event
    if e.team_id:  # the team named at her recruitment is her first
        await _join(conn, stored, e.volunteer_id, e.team_id, _day(stored, "recruited_on"))


async def _joined(conn: AsyncConnection, stored: StoredEvent) -> None:
    e: VolunteerJoinedTeam = stored.event
    await _join(conn, stored, e.volunteer_id, e.team_id, e.joined_on)


async def _moved(conn: AsyncConnection, stored: StoredEvent) -> None:
    e: VolunteerMovedTeam = stored.event
    await _leave(conn, e.volunteer_id, e.moved_on)
    await _join(conn, stored, e.volunteer_id, e.to_team_id, e.moved_on)


async def _left(conn: AsyncConnection, stored: StoredEvent) -> None:
    await _leave(conn, stored.event.volunteer_id, stored.event.left_on)


async def _withdrew(conn: AsyncConnection, stored: StoredEvent) -> None:
    await _leave(conn, stored.event.volunteer_id, _day(stored, "withdrawn_on"))


APPLY = {TeamFormed: _formed, VolunteerRecruited: _recruited, VolunteerJoinedTeam: _joined,
         VolunteerMovedTeam: _moved, VolunteerLeftTeam: _left, VolunteerWithdrew: _withdrew}


class TeamRosters:
    name = "team_rosters"
    tables = (teams, members)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        for stored in events:  # in log order: a move closes the row its join opened
            await APPLY[type(stored.event)](conn, stored)


def _team_row(row) -> dict:
    return {"team_id": row.team_id, "region": row.region, "level": row.level, "name": row.name,
            "formed_on": row.formed_on.isoformat()}


async def team_roster(conn: AsyncConnection, team_id: str) -> dict | None:
    """The team and its members, present (`members`) and former (`former`), earliest first."""
    team = (await conn.execute(select(teams).where(teams.c.team_id == team_id))).first()
    if team is None:
        return None
    rows = (await conn.execute(select(members).where(members.c.team_id == team_id)
                               .order_by(members.c.joined_on, members.c.volunteer_id))).all()
    listed = [{"volunteer_id": r.volunteer_id, "region": r.region, "joined_on": r.joined_on.isoformat(),
               **({"left_on": r.left_on.isoformat()} if r.left_on else {})} for r in rows]
    return {**_team_row(team), "members": [m for m in listed if "left_on" not in m],
            "former": [m for m in listed if "left_on" in m]}


async def region_teams(conn: AsyncConnection, region: Region) -> list[dict]:
    """The teams of a region's subtree, each with how many are in it now, by region then name."""
    present = (select(members.c.team_id, func.count().label("n")).where(members.c.left_on.is_(None))
               .group_by(members.c.team_id).subquery())
    query = (select(teams, present.c.n).select_from(teams.outerjoin(present, and_(present.c.team_id == teams.c.team_id)))
             .order_by(teams.c.region, teams.c.name, teams.c.team_id))
    if region.prefix:
        query = query.where(teams.c.region.startswith(region.prefix, autoescape=True))
    return [{**_team_row(row), "members": int(row.n or 0)} for row in await conn.execute(query)]


async def team_names(conn: AsyncConnection, team_ids) -> dict[str, str]:
    """The names of these teams (a team's name is its office's, shown to every role)."""
    wanted = sorted(set(team_ids))
    if not wanted:
        return {}
    return {r.team_id: r.name for r in await conn.execute(select(teams.c.team_id, teams.c.name)
                                                         .where(teams.c.team_id.in_(wanted)))}
