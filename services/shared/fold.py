"""An aggregate's state is its history folded through its `evolve` function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from typing import TypeVar

from contracts.envelope import Event

State = TypeVar("State")


def fold(evolve: Callable[[Event, State], State], initial: State, events: Iterable[Event]) -> State:
    return reduce(lambda state, event: evolve(event, state), events, initial)
