"""Dates of care against the facts they follow: nothing is done with a child before the child is born.

A pair is formed only of registered children, so no visit or activity of a pair can come before the
latest birth among its children. The pair's forming date would bound it tighter, but `PairFormed`
carries no date of its own (only its envelope's time, which a fold never sees), so this is the
bound the pair's state can give.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from services.shared.errors import InvalidCommand


def not_before_births(field: str, day: date, births: Mapping[str, date | None]) -> None:
    """`births`: the pair's children's birth dates by child id (None where none is known)."""
    for child_id, born in births.items():
        if born is not None and day < born:
            raise InvalidCommand(field, f"{day} is before child {child_id} of the pair was born ({born})")


def not_in_future(field: str, day: date, today: date) -> None:
    if day > today:
        raise InvalidCommand(field, f"{day} is in the future")
