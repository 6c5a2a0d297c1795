"""Each aggregate type's events are published by one context: the NATS users allowed to write an
aggregate's subjects (`nats_permissions.WRITES`) all belong to the context whose contracts declare
its events."""

from __future__ import annotations

from contracts.registry import event_types
from services.platform.nats_permissions import WRITES

# The context each writing NATS user is part of (the import of a workbook is intake's bulk path,
# the reminder process is activity's).
CONTEXT_OF_USER = {"intake": "intake", "imports": "intake", "pairing": "pairing", "activity": "activity",
                   "reporting": "reporting", "reminders": "activity", "projections": "operations"}
# A context's contract is its own package (contracts/intake/, pairing/, activity/) or module
# (contracts/accounts.py, operations.py): the context of an event is the name under contracts.


def writers() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for user, aggregates in WRITES.items():
        for aggregate in aggregates:
            found.setdefault(aggregate, set()).add(CONTEXT_OF_USER[user])
    return found


def declared_by() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for event_type in event_types().values():
        context = event_type.__module__.split(".")[1]
        found.setdefault(event_type.aggregate_type, set()).add(context)
    return found


def test_every_aggregate_type_is_written_by_the_one_context_that_declares_its_events() -> None:
    assert {a: contexts for a, contexts in writers().items() if len(contexts) > 1} == {}
    assert writers() == {a: contexts for a, contexts in declared_by().items() if a in writers()}


def test_every_aggregate_whose_events_are_declared_has_a_writer() -> None:
    # Accounts are written by the API's user on their own subjects, outside `aixin.evt`.
    assert set(declared_by()) - {"account"} <= set(writers())


def test_pairing_writes_a_childs_and_a_volunteers_pairs_on_aggregates_of_its_own() -> None:
    assert {a for a, contexts in writers().items() if "pairing" in contexts} == {
        "pair", "pairing_child", "pairing_volunteer"}
    assert writers()["volunteer"] == {"intake"}


def test_activity_writes_the_care_of_a_pair_station_or_team_on_aggregates_of_its_own() -> None:
    assert {a: writers()[a] for a in ("pair", "station", "team")} == {
        "pair": {"pairing"}, "station": {"intake"}, "team": {"intake"}}
    assert {writers()[a] == {"activity"} for a in ("pair_care", "station_care", "team_care")} == {True}


def test_activity_writes_the_childs_care_tier_on_an_aggregate_of_its_own() -> None:
    assert (writers()["child"], writers()["child_care"]) == ({"intake"}, {"activity"})
