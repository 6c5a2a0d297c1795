"""The peer baseline runs for real at a tiny size: pyeventsourcing registers the bench's children and
rebuilds the six-level counts in a child process. Rates are only checked to be positive (timings
are printed by `aixin bench`, never asserted). Without the optional `bench` extra the test skips,
except with CI=true, where the extra is part of the environment and a skip would hide a failure."""

from __future__ import annotations

import importlib.util
import os

import pytest

from tooling.bench.run import peer_child
from tooling.bench.peer import INSTALL_HINT, levels, peer_baseline

if importlib.util.find_spec("eventsourcing") is None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"eventsourcing is missing, and under CI the peer baseline must run: {INSTALL_HINT}",
                    pytrace=False)
    pytest.skip(f"the optional peer baseline is not installed ({INSTALL_HINT})", allow_module_level=True)

VILLAGES = ["440105001101", "440105001102", "440106001001"]  # two towns' villages in two counties


def test_peer_registers_and_rebuilds_the_six_level_counts() -> None:
    figures = peer_baseline(50, peer_child, VILLAGES)  # raises if the rebuilt counts disagree with 50

    assert figures["peer_registered"] == 50
    assert figures["peer_rebuilt_events"] == 50
    assert figures["peer_register_per_s"] > 0
    assert figures["peer_rebuild_per_s"] > 0
    assert figures["peer_version"].startswith("eventsourcing 9.5")
    assert "synchronous=" in figures["peer_notes"]


def test_a_child_counts_at_all_six_levels() -> None:
    assert levels("440105001101") == ["CN", "44", "4401", "440105", "440105001", "440105001101"]
