"""The README's map of the code stays true to the code: its table of events names every event of
the contract once, and for each the read models and processes that apply it, as their `handles`
tables say; its table of folders has a row for every package of `services/` and names nothing that
is gone. A newcomer who looks an event or a folder up there finds what is."""

from __future__ import annotations

import re
from pathlib import Path

from contracts.registry import event_types
from services.activity.reminders.state import ReminderState
from services.projections import all_projections

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAP = "## Map of the code"
EVENTS = "### Every event"


def _section(start: str, end: str | None = None) -> str:
    text = README.read_text()
    section = text[text.index(start):]
    return section[:section.index(end)] if end else section


def _event_rows() -> list[list[str]]:
    """The cells of each row of the events table (event, contract, decided in, folded by, fed)."""
    table = _section(EVENTS)
    return [[cell.strip() for cell in line.strip("|").split("|")]
            for line in table.splitlines() if re.match(r"^\| `\w+` \| `contracts\.", line)]


def _names(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


def consumers() -> dict[str, frozenset[type]]:
    """What the "fed" column may name, and the event classes each applies: every read model by its
    name, and the reminder process (whose own state from the log is what it is fed)."""
    return {**{p.name: p.handles for p in all_projections()}, "reminders": ReminderState.handles}


def test_the_readme_lists_every_event_once() -> None:
    listed = [row[0].strip("`") for row in _event_rows()]
    assert sorted(listed) == sorted(event_types())


def test_the_readme_names_what_each_event_feeds_as_the_code_does() -> None:
    in_readme = {row[0].strip("`"): _names(row[4]) for row in _event_rows()}
    in_code = {event: {name for name, handles in consumers().items() if cls in handles}
               for event, cls in event_types().items()}
    assert in_readme == in_code


def test_every_consumer_the_readme_names_exists() -> None:
    named = set().union(*(_names(row[4]) for row in _event_rows()))
    assert sorted(named - set(consumers())) == []


def _folders() -> list[set[str]]:
    """The paths each row of the map's folder table names in its first column."""
    table = _section(MAP, EVENTS)
    return [_names(line.split("|")[1]) for line in table.splitlines() if line.startswith("| `")]


def test_every_folder_the_map_names_exists() -> None:
    named = set().union(*_folders())
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


def test_the_map_has_a_row_for_every_package_of_services() -> None:
    packages = {f"services/{path.parent.name}/" for path in (ROOT / "services").glob("*/__init__.py")}
    named = set().union(*_folders())
    assert sorted(packages - named) == [] and "contracts/" in named
