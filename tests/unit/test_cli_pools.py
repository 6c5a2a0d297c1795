"""The CLI's command sender spreads its requests over small connection pools (see
`services.cli.client.HttpCommands`): enough connections for what it keeps in flight, none with more
than POOL_CONNECTIONS, every pool taken in turn."""

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


async def test_requests_take_the_pools_in_turn():
    async with HttpCommands(SimpleNamespace(http_url="http://127.0.0.1:9"), in_flight=64) as commands:
        assert len(commands.pools) == 8
        picks = Counter(id(commands._pool()) for _ in range(80))
        assert sorted(picks.values()) == [10] * 8
        assert commands.http is commands.pools[0]
