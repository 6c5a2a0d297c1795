"""The README's map of the code stays true to the code: its table of events names every event of
the contract once, for each the folders of the code that decide it (those that make it, whose
service's NATS user may write its aggregate) and the read models and log followers that apply it,
as their `handles` tables say; its table of folders has a row for every package (`contracts/`,
`services/`, `tooling/` and each folder below them), names nothing that is gone, and leads to every
read model by its name. A newcomer who looks an event or a folder up there finds what is."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from contracts.registry import event_types
from services.activity.reminders.state import ReminderState
from services.feed.translate import TRANSLATIONS
from services.platform.nats_permissions import WRITES
from services.projections import all_projections
from tests.unit.code_reading import events_made

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAP = "## Map of the code"
EVENTS = "### Every event"
PACKAGES = ("contracts", "services", "tooling")
# The NATS user each deciding folder's service appends as (`services.platform.nats_permissions`), by
# the longest folder that holds it; accounts are appended by the API on subjects of their own.
USER_OF_FOLDER = {"intake": "intake", "pairing": "pairing", "activity": "activity", "reporting": "reporting",
                  "activity/reminders": "reminders", "shared/follower": "projections", "accounts": None}


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


def _producer_names(cell: str) -> set[str]:
    """The folders a "decided in" cell names, its remarks in parentheses left out."""
    return _names(re.sub(r"\([^)]*\)", "", cell))


def consumers() -> dict[str, frozenset[type]]:
    """What the "fed" column may name, and the event classes each applies: every read model by its
    name, the reminder process (whose own state from the log is what it is fed) and the integration
    feed (its table of translations)."""
    return {**{p.name: p.handles for p in all_projections()}, "reminders": ReminderState.handles,
            "feed": frozenset(TRANSLATIONS)}


def producers() -> dict[str, set[str]]:
    """Each event's deciding folders (as `activity/care`, relative to `services/`): those with a
    module that makes it (`events_made`)."""
    found: dict[str, set[str]] = {}
    for path, events in events_made().items():
        for event in events:
            found.setdefault(event, set()).add(path.parent.relative_to(ROOT / "services").as_posix())
    return found


def test_the_readme_names_who_decides_each_event_as_the_code_does() -> None:
    in_readme = {row[0].strip("`"): _producer_names(row[2]) for row in _event_rows()}
    assert in_readme == {event: producers().get(event, set()) for event in event_types()}


def test_every_deciding_folder_appends_as_a_user_that_may_write_its_events_aggregate() -> None:
    def user(folder: str) -> str | None:
        holder = max((f for f in USER_OF_FOLDER if folder == f or folder.startswith(f + "/")), key=len)
        return USER_OF_FOLDER[holder]

    refused = sorted(f"{event} ({classes.aggregate_type}) decided in {folder}"
                     for event, classes in event_types().items() for folder in producers().get(event, ())
                     if (name := user(folder)) is not None and classes.aggregate_type not in WRITES[name])
    accounts = {event_types()[e].aggregate_type for e, folders in producers().items()
                if any(user(f) is None for f in folders)}
    assert refused == [] and accounts <= {"account"}


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


def _folder_lines() -> list[str]:
    return [line for line in _section(MAP, EVENTS).splitlines() if line.startswith("| `")]


def _folders() -> list[set[str]]:
    """The paths each row of the map's folder table names in its first column."""
    return [_names(line.split("|")[1]) for line in _folder_lines()]


def test_every_folder_the_map_names_exists() -> None:
    named = set().union(*_folders())
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


def test_the_map_has_a_row_for_every_package() -> None:
    """Every folder of `contracts/`, `services/` and `tooling/` that is a package, at any depth
    (`services/` itself is only their root)."""
    packages = {f"{path.parent.relative_to(ROOT).as_posix()}/" for root in PACKAGES
                for path in (ROOT / root).rglob("__init__.py")} - {"services/"}
    named = set().union(*_folders())
    assert sorted(packages - named) == []


def test_every_read_model_is_found_from_the_map_by_its_name() -> None:
    """A read model named in the table is `services/projections/<name>.py`, or its folder has a row
    of the map that names it: the path from an event to the code of each read model it feeds."""
    rows = {path: line for paths, line in zip(_folders(), _folder_lines(), strict=True) for path in paths}
    lost = []
    for projection in all_projections():
        path = Path(importlib.import_module(type(projection).__module__).__file__).relative_to(ROOT)
        if path.as_posix() == f"services/projections/{projection.name}.py":
            continue
        if f"`{projection.name}`" not in rows.get(f"{path.parent.as_posix()}/", ""):
            lost.append(f"{projection.name} ({path})")
    assert lost == []
