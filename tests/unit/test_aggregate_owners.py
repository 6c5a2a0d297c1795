"""Each aggregate type's events are published by one context: the NATS users allowed to write an
aggregate's subjects (`nats_permissions.WRITES`) all belong to the context whose contracts declare
its events."""

from __future__ import annotations

from contracts.registry import event_types
from services.platform.nats_permissions import WRITES

# The context each writing NATS user is part of (the import of a workbook is intake's).
CONTEXT_OF_USER = {"intake": "intake", "imports": "intake", "pairing": "pairing", "activity": "activity",
                   "reminders": "activity", "projections": "operations"}
# The context each contract module is of.
CONTEXT_OF_MODULE = {"intake": "intake", "child_file": "intake", "volunteers": "intake", "pairing": "pairing",
                     "matching": "pairing", "activity": "activity", "care": "activity", "concerns": "activity",
                     "giving": "activity", "reminders": "activity", "operations": "operations",
                     "accounts": "accounts"}
# Still written by a second context (issue 26, step 4, left): activity's care logged on the pair,
# on a station and on a team, and a concern's step setting the child's care tier.
NOT_YET_OWNED = {"pair", "station", "team", "child"}


def writers() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for user, aggregates in WRITES.items():
        for aggregate in aggregates:
            found.setdefault(aggregate, set()).add(CONTEXT_OF_USER[user])
    return found


def declared_by() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for event_type in event_types().values():
        found.setdefault(event_type.aggregate_type, set()).add(CONTEXT_OF_MODULE[event_type.__module__.split(".")[-1]])
    return found


def test_every_aggregate_type_is_written_by_the_one_context_that_declares_its_events() -> None:
    shared = {a for a, contexts in writers().items() if len(contexts) > 1}
    assert shared == NOT_YET_OWNED  # shrinks as each is given to one context; nothing new joins it
    owned = {a: contexts for a, contexts in writers().items() if a not in NOT_YET_OWNED}
    declared = {a: contexts for a, contexts in declared_by().items() if a in owned}
    assert owned == declared


def test_pairing_writes_its_own_aggregates_of_a_childs_and_a_volunteers_pairs_only() -> None:
    assert {a for a, contexts in writers().items() if "pairing" in contexts} == {
        "pair", "pairing_child", "pairing_volunteer"}
    assert writers()["volunteer"] == {"intake"}
