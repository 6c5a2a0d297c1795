"""Dates of care against the facts they follow: nothing is done with a child before the child is born,
nor for a pair before the pair was formed.

`PairFormed` carries its forming date (v2; a v1 event is upcast to the day it was recorded), which
is never before its children's births; both bounds are checked all the same, so that the refusal
names the fact the date comes before.
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


def not_before_forming(field: str, day: date, pair_id: str, formed_on: date | None) -> None:
    """`formed_on`: the pair's forming date (None where its state has none: nothing to check)."""
    if formed_on is not None and day < formed_on:
        raise InvalidCommand(field, f"{day} is before pair {pair_id} was formed ({formed_on}); care is "
                                    f"logged for a pair from the day it was formed")


def not_in_future(field: str, day: date, today: date) -> None:
    if day > today:
        raise InvalidCommand(field, f"{day} is in the future")
