"""The kinds of `aixin history` and GET /history are the contract's aggregate types, from the
registry of events: a new aggregate has a history without a hand-kept list, and the parts told with
another (a pair's care, a person's pairs) are not kinds of their own."""

from __future__ import annotations

from contracts.registry import event_types
from services.api.history import AGGREGATE_TYPES, TOLD_WITH


def test_every_aggregate_type_of_the_contract_has_a_history_but_the_parts_told_with_another() -> None:
    declared = {cls.aggregate_type for cls in event_types().values()}
    parts = {part for told in TOLD_WITH.values() for part in told}
    assert {"child", "volunteer", "pair", "wish", "concern", "fund", "station", "team", "donor", "gift_pack",
            "submission", "nomination"} <= set(AGGREGATE_TYPES)
    assert set(AGGREGATE_TYPES) == declared - parts - {"account", "parked_event"}
    assert parts <= declared and not parts & set(AGGREGATE_TYPES)
