"""The last step every giving and case-work handler shares: answer a retry with its first result,
otherwise decide now and append what was decided."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.envelope import Event
from services.shared.unit_of_work import UnitOfWork


async def decided(uow: UnitOfWork, decide: Callable[[], list[Event]], **ids: Any) -> dict[str, Any]:
    """`decide` runs only if this command has not been applied before (its events are not in the
    histories `uow` loaded), so a retry never decides twice."""
    if earlier := uow.earlier_result():
        return {**ids, **earlier}
    return {**ids, **await uow.commit(decide())}
