"""The reminder process: follows the log into its own state and, on every tick of its clock,
raises the reminders that are due.

Why no reminder is lost or raised twice, even when the process is killed mid-tick and restarted:
- Its state and its checkpoint commit together (a `Projector` of its own), so a restart resumes
  from a consistent position. A tick first waits until the state has caught up with the log as it
  stood when the tick began, so it never judges from a stale view.
- Due reminders are worked out again from the state on every tick: whatever a killed tick did not
  raise, the next tick finds still due.
- A reminder is an aggregate named after its cause, appended with expected last sequence 0 and an
  event id derived from the cause (the `Nats-Msg-Id`): a reminder already in the log — raised by
  this instance before it died, or by another one at the same moment — is never stored again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.commands import Command
from contracts.envelope import Actor, FederationLevel
from contracts.activity.reminders import ReminderRaised
from services.activity.reminders.rules import ChildWatch, PairWatch, WishWatch, due_reminders
from services.activity.reminders.state import (ReminderState, raised, watched_children, watched_pairs,
                                              watched_wishes)
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps, UnitOfWork

REMINDER_ACTOR = Actor(operator_id="reminder-process", level=FederationLevel.national, region="CN")
TICK_SECONDS = 60.0
PAGE = 2000  # watched rows read at a time
log = logging.getLogger("aixin.reminders")


class ReminderProcess:
    def __init__(self, deps: Deps, engine: AsyncEngine, interval: float = TICK_SECONDS) -> None:
        self.deps, self.engine, self.interval = deps, engine, interval
        self.follower = Projector(deps.log, engine, [ReminderState()])

    async def start(self) -> None:
        await self.follower.create_schema()

    async def run(self) -> None:
        """Follow the log and tick for ever; a failed tick is logged and the next one tries again."""
        following = asyncio.create_task(self.follower.run(), name="reminder-state")
        try:
            while True:
                try:
                    await self.tick()
                except Exception:
                    log.exception("reminder tick failed; the next tick tries again")
                await asyncio.sleep(self.interval)
        finally:
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following

    async def tick(self) -> list[str]:
        """Raise what is due today; returns the ids of the reminders this tick appended (a
        concurrent instance may have appended the same ones). Needs `run`, or another task
        following the log with `self.follower`."""
        today = self.deps.clock().date()
        await self.follower.wait_for(await self.deps.log.last_sequence(), timeout=None)
        stored = []
        async for due in due_by_page(self.engine, today):
            async with self.engine.connect() as conn:
                done = await already_raised(conn, [r.reminder_id for r in due])
            for reminder in due:
                if reminder.reminder_id not in done and await self._raise(reminder):
                    stored.append(reminder.reminder_id)
        return stored

    async def _raise(self, reminder: ReminderRaised) -> bool:
        command = Command(command_id=f"reminder-{reminder.reminder_id}", actor=REMINDER_ACTOR)
        uow = UnitOfWork(self.deps, command)
        if (await uow.load("reminder", reminder.reminder_id)).exists:
            return False  # raised before this state heard of it (a restart, another instance)
        # Another instance may append the very same event between our load and our append: the
        # log then refuses ours (duplicate id, or expected sequence 0 no longer true) and, finding
        # the identical event stored, reports it as appended. Either way it is in the log once.
        await uow.commit([reminder])
        log.info("reminder %s raised: %s", reminder.reminder_id, reminder.rule.value)
        return True


async def due_by_page(engine: AsyncEngine, today: date) -> AsyncIterator[list[ReminderRaised]]:
    """The reminders due today, worked out from what the rules look at — active pairs, children in
    the programme who are paired or in the red tier (no rule is about the others), open wishes —
    read PAGE rows at a time in key order, so that a national register is never held in memory."""
    pair, child, wish = watched_pairs.c, watched_children.c, watched_wishes.c
    kinds = (  # table, key, the rows the rules can be about, and the watches made of a page of them
        (watched_pairs, pair.pair_id, pair.active.is_(True),
         lambda rows: ([PairWatch(r.pair_id, r.region, r.formed_on, r.last_contact) for r in rows], [], [])),
        (watched_children, child.child_id,
         and_(child.exited.is_(False), or_(child.active_pairs > 0, child.red_since.is_not(None))),
         lambda rows: ([], [ChildWatch(r.child_id, r.region, r.birth_date, r.active_pairs > 0, r.red_since,
                                       r.last_contact) for r in rows], [])),
        (watched_wishes, wish.wish_id, wish.closed.is_(False),
         lambda rows: ([], [], [WishWatch(r.wish_id, r.child_id, r.region, r.submitted_on) for r in rows])),
    )
    for table, key, wanted, watches in kinds:
        after = None
        while True:
            query = select(table).where(wanted).order_by(key).limit(PAGE)
            if after is not None:
                query = query.where(key > after)
            async with engine.connect() as conn:
                rows = (await conn.execute(query)).all()
            if not rows:
                break
            after = getattr(rows[-1], key.name)
            if due := due_reminders(today, *watches(rows)):
                yield due


async def already_raised(conn: AsyncConnection, reminder_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(reminder_ids), 500):
        chunk = reminder_ids[start:start + 500]
        found.update((await conn.execute(select(raised.c.reminder_id)
                                         .where(raised.c.reminder_id.in_(chunk)))).scalars())
    return found
