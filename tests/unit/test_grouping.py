"""Which waiting commands share a group commit (pure: no server)."""

from __future__ import annotations

import asyncio

from services.shared.eventlog.grouping import Waiting, last_sequences, next_group
from tests.log.test_eventlog import formed, joined, pending


def waiting(*events) -> Waiting:
    return Waiting(list(events), asyncio.get_running_loop().create_future())


async def test_commands_on_other_aggregates_share_a_group_in_the_order_they_came() -> None:
    a, b, c = waiting(pending(joined("c1"), 1, 0)), waiting(pending(joined("c2"), 1, 0)), \
        waiting(pending(formed("p1", "c3"), 1, 0), pending(joined("c3"), 1, 0))
    assert next_group([a, b, c], 1000) == ([a, b, c], [])


async def test_a_command_on_an_aggregate_already_in_the_group_waits_for_the_next() -> None:
    a = waiting(pending(formed("p1", "c1"), 1, 0), pending(joined("c1"), 1, 0))
    b, c = waiting(pending(joined("c1", "p2"), 2, 1)), waiting(pending(joined("c2"), 1, 0))
    d = waiting(pending(joined("c9", "p1"), 1, 0))  # names pair p1 in its data, but is child c9's event
    group, later = next_group([a, b, c, d], 1000)
    assert group == [a, c, d] and later == [b]
    assert next_group(later, 1000) == ([b], [])


async def test_a_group_holds_at_most_the_batch_limit_but_a_larger_command_goes_alone() -> None:
    small = [waiting(pending(joined(f"c{n}"), 1, 0)) for n in range(5)]
    group, later = next_group(small, 3)
    assert group == small[:3] and later == small[3:]
    big = waiting(*(pending(joined("big"), n, None) for n in range(1, 6)))
    assert next_group([big, *small], 3) == ([big], small)


async def test_each_command_gets_the_sequence_of_its_last_event_in_the_batch() -> None:
    one, two, three = waiting(pending(joined("a"), 1, 0)), \
        waiting(pending(formed("p", "b"), 1, 0), pending(joined("b"), 1, 0)), waiting(pending(joined("c"), 1, 0))
    assert last_sequences([one, two, three], 104) == [101, 103, 104]


async def test_commands_on_aggregates_of_one_id_in_two_contexts_wait_for_the_next() -> None:
    # A child's pairs (pairing's) and her file (intake's) are checked together over every subject
    # of her id, and a batch is checked against the stream before it: they never share one.
    pairs = waiting(pending(joined("c1"), 1, 0))
    file = pending(joined("c1", "p2"), 1, 0)
    file = type(file)(file.subject.replace("pairing_child", "child"),
                      file.envelope.model_copy(update={"aggregate_type": "child"}), 0)
    exits = waiting(file)
    group, later = next_group([pairs, exits], 1000)
    assert group == [pairs] and later == [exits]
