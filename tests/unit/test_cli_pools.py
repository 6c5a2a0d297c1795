"""The CLI's command sender spreads its requests over small connection pools (see
`services.cli.client.HttpCommands`): enough connections for what it keeps in flight, none with more
than POOL_CONNECTIONS, each request in the pool with the fewest under way."""

import contextlib
from collections import Counter
from types import SimpleNamespace

import pytest

from services.cli.client import POOL_CONNECTIONS, HttpCommands, pool_layout


@pytest.mark.parametrize("in_flight", [1, 2, 7, 8, 9, 64, 100, 128])
def test_the_pools_hold_what_is_in_flight_and_none_is_large(in_flight):
    pools, per_pool = pool_layout(in_flight)
    assert pools * per_pool >= in_flight
    assert per_pool <= POOL_CONNECTIONS
    assert (pools - 1) * POOL_CONNECTIONS < in_flight  # no pool more than needed


async def test_each_request_goes_to_the_least_busy_pool():
    async with HttpCommands(SimpleNamespace(http_url="http://127.0.0.1:9"), in_flight=64) as commands:
        assert len(commands.pools) == 8 and commands.http is commands.pools[0]
        with contextlib.ExitStack() as under_way:
            taken = [under_way.enter_context(commands._least_busy()) for _ in range(16)]
            assert sorted(Counter(map(id, taken)).values()) == [2] * 8  # evenly spread
        with commands._least_busy() as slow:  # one answer is slow to come…
            with commands._least_busy() as other:
                assert other is not slow  # …the next request goes elsewhere
        assert commands._busy == [0] * 8
