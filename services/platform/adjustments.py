"""The adjustment process: an accepted month is locked, and whatever is recorded afterwards as having
happened in it (a visit dated in November, logged in December) is recorded as its adjustment, a
`MonthAdjusted` with the figures' deltas — so that replay and as-of show both what was accepted and
what changed since, and when.

Why here, on the platform, and not in the reporting context: what changed is a difference of figures,
and the figures are the read side's (`figure_ledger`, by each event's own day), which no context may
read. So, like the reminder process, it ticks: each tick reads the accepted months
(`submissions`), reads each one's figures again from the ledger (the same snapshot the HTTP API puts
into a submission), and where they differ sends `AdjustMonth` with the figures now to the reporting
service's handler; the decision — the deltas against the figures accepted and adjusted so far, or
nothing — is the context's, in its pure domain. The command id is derived from the month and the
figures, so two ticks (two instances, a restart mid-tick) that see the same change record it once;
the expected sequence refuses the second of two different ones, which the next tick looks at again.

Cost: one ledger read per accepted month of the last `MONTHS` months per tick (a district's dozen a
year, a country's tens of thousands); older months are not watched.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.envelope import Actor, FederationLevel
from contracts.regions import known_region
from contracts.reporting.submission import AdjustMonth, submission_id
from services.projections.submissions.queries import accepted_months, months_over
from services.projections.submissions.snapshot import month_snapshot
from services.reporting.submission.handlers import adjust_month
from services.shared.errors import AixinError
from services.shared.follower.projection import checkpoints
from services.shared.unit_of_work import Deps

TICK_SECONDS = 60.0
MONTHS = 24
ADJUSTER = Actor(operator_id="adjustment-process", level=FederationLevel.national, region="CN", role="system")
WATCHED_MODELS = ("figure_ledger", "submissions")
log = logging.getLogger("aixin.adjustments")


class AdjustmentProcess:
    def __init__(self, deps: Deps, engine: AsyncEngine, interval: float = TICK_SECONDS) -> None:
        self.deps, self.engine, self.interval = deps, engine, interval
        self.position: dict[str, int] | None = None  # the read models' checkpoints at the last full look

    async def run(self) -> None:
        """Tick for ever, the first after one interval (the read models are made meanwhile, by
        another process maybe); a failed tick is logged and the next one tries again."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except Exception:
                log.exception("adjustment tick failed; the next tick tries again")

    async def tick(self) -> list[str]:
        """Record the adjustments due; returns the submissions this tick adjusted. Nothing is read
        again while the ledger and the submissions stand where the last tick found them (the log is
        idle most of the day)."""
        watched = set(months_over(self.deps.clock().date(), MONTHS))
        async with self.engine.connect() as conn:
            position = await _positions(conn)
            if position == self.position:
                return []
            months = [m for m in await accepted_months(conn) if m[1] in watched]
            changed = []
            for office, month, figures in months:
                now, _ = await month_snapshot(conn, known_region(office), month)
                if any(now.get(key, 0) != figures.get(key, 0) for key in {*now, *figures}):
                    changed.append((office, month, now))
        adjusted = []
        for office, month, now in changed:
            if await self._adjust(office, month, now):
                adjusted.append(submission_id(office, month))
        # Looked at in full: the next tick may skip, unless one was left for it (a conflict).
        self.position = position if len(adjusted) == len(changed) else None
        return adjusted

    async def _adjust(self, office: str, month: str, figures: dict[str, int]) -> bool:
        digest = hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()[:32]
        command = AdjustMonth(command_id=f"adjust-{office}-{month}-{digest}", actor=ADJUSTER, office=office,
                              month=month, figures=figures)
        try:
            result = await adjust_month(self.deps, command)
        except AixinError as error:  # a concurrent step: the next tick looks again
            log.info("adjustment of %s %s not recorded: %s", office, month, error.message)
            return False
        return bool(result["events"])


async def _positions(conn) -> dict[str, int]:
    """Where the ledger and the submissions stand in the log."""
    query = select(checkpoints.c.projection, checkpoints.c.last_seq).where(
        checkpoints.c.projection.in_(WATCHED_MODELS))
    return dict((await conn.execute(query)).all())
