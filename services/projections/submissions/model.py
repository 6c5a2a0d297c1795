"""Read model `submissions`: each office's monthly submissions (数据上报) as they stand — status, round,
deadline and days late, who reviewed, the last return's reason, the figures as accepted and as
adjusted since — and every step of each (submitted, returned, accepted, adjusted) with its deltas.

A submission's row is written once per step, by its id; steps are keyed by the event's version in
its aggregate, so applying a batch again changes nothing.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, Table, Text, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.reporting.submission import MonthAdjusted, MonthSubmitted, SubmissionAccepted, SubmissionReturned
from services.shared.db import insert_if_absent, upsert
from services.shared.eventlog import StoredEvent
from services.shared.follower.projection import metadata

submissions = Table(
    "submissions", metadata,
    Column("submission_id", String(64), primary_key=True),
    Column("office", String(12), nullable=False, index=True),  # its significant digits: 440105
    Column("month", String(7), nullable=False, index=True),
    Column("status", String(16), nullable=False),  # submitted, returned, accepted
    Column("round", Integer, nullable=False),
    Column("submitted_on", String(10), nullable=False),  # the last submission's
    Column("deadline", String(10), nullable=False),
    Column("days_late", Integer, nullable=False),  # of the first submission: when the month first went up
    Column("reviewer", String(12)),
    Column("reviewed_on", String(10)),
    Column("reason", Text),  # the last return's
    Column("submitted", JSON, nullable=False),  # the figures as last submitted
    Column("figures", JSON, nullable=False),  # with every adjustment since its acceptance
    Column("sub_offices", JSON, nullable=False),
    Column("explanations", JSON, nullable=False),
    Column("adjustments", Integer, nullable=False),
)

steps = Table(
    "submission_steps", metadata,
    Column("submission_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("step", String(16), nullable=False),  # submitted, returned, accepted, adjusted
    Column("step_on", String(10), nullable=False),
    Column("operator", String(64), nullable=False),
    Column("office", String(12), nullable=False),  # the acting office
    Column("reason", Text),
    Column("deltas", JSON),
)


def _submitted(event: MonthSubmitted, row: dict | None) -> dict:
    return dict(submission_id=event.submission_id, office=event.office, month=event.month, status="submitted",
                round=event.round, submitted_on=event.submitted_on.isoformat(), deadline=event.deadline.isoformat(),
                days_late=row["days_late"] if row else event.days_late, reviewer=None, reviewed_on=None,
                reason=row["reason"] if row else None, submitted=event.figures, figures=event.figures,
                sub_offices=event.sub_offices, explanations=event.explanations, adjustments=0)


def _returned(event: SubmissionReturned, row: dict) -> dict:
    return dict(row, status="returned", reviewer=event.reviewer, reviewed_on=event.returned_on.isoformat(),
                reason=event.reason)


def _accepted(event: SubmissionAccepted, row: dict) -> dict:
    return dict(row, status="accepted", reviewer=event.reviewer, reviewed_on=event.accepted_on.isoformat())


def _adjusted(event: MonthAdjusted, row: dict) -> dict:
    return dict(row, figures=event.figures, adjustments=row["adjustments"] + 1)


APPLY = {MonthSubmitted: _submitted, SubmissionReturned: _returned, SubmissionAccepted: _accepted,
         MonthAdjusted: _adjusted}
STEP = {MonthSubmitted: ("submitted", "submitted_on"), SubmissionReturned: ("returned", "returned_on"),
        SubmissionAccepted: ("accepted", "accepted_on"), MonthAdjusted: ("adjusted", "adjusted_on")}


def _step(stored: StoredEvent) -> dict:
    event, envelope = stored.event, stored.envelope
    name, day = STEP[type(event)]
    return dict(submission_id=event.submission_id, version=envelope.aggregate_version, step=name,
                step_on=getattr(event, day).isoformat(), operator=envelope.actor.operator_id,
                office=getattr(event, "reviewer", None) or event.office, reason=getattr(event, "reason", None),
                deltas=getattr(event, "deltas", None))


class Submissions:
    name = "submissions"
    tables = (submissions, steps)
    handles = frozenset(APPLY)

    async def apply(self, conn: AsyncConnection, events: list[StoredEvent]) -> None:
        dialect = conn.dialect.name
        for stored in events:  # a month's steps are a handful: row by row
            event = stored.event
            found = (await conn.execute(select(submissions).where(
                submissions.c.submission_id == event.submission_id))).mappings().first()
            row = dict(found) if found else None
            if row is None and not isinstance(event, MonthSubmitted):
                continue  # a step of a submission this model never saw made: nothing to change
            if row is not None and await _seen(conn, stored):
                continue
            new = APPLY[type(event)](event, row)
            if row is None:
                await conn.execute(upsert(dialect, submissions).values(**new).on_conflict_do_nothing())
            else:
                await conn.execute(update(submissions).where(submissions.c.submission_id == event.submission_id)
                                   .values(**{k: v for k, v in new.items() if k != "submission_id"}))
            await conn.execute(insert_if_absent(dialect, steps), _step(stored))


async def _seen(conn: AsyncConnection, stored: StoredEvent) -> bool:
    """Applied already (a batch applied again): its step is on record."""
    query = select(steps.c.version).where(steps.c.submission_id == stored.event.submission_id,
                                          steps.c.version == stored.envelope.aggregate_version)
    return (await conn.execute(query)).first() is not None
