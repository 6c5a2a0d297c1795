"""The README's table of events names every event of the contract, and no event that is gone, so a
newcomer who looks an event up there finds it."""

from __future__ import annotations

import re
from pathlib import Path

from contracts.registry import event_types

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_event_once() -> None:
    text = README.read_text()
    table = text[text.index("### Every event"):]
    listed = re.findall(r"^\| `(\w+)` \| `contracts\.", table, flags=re.MULTILINE)
    assert sorted(listed) == sorted(event_types())
