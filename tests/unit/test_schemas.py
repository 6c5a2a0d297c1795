"""The published contract: each event's JSON Schema is frozen per schema_version.

Provincial and city systems validate our events against contracts/schemas/. Changing an event's
fields without bumping `schema_version` would silently break them, so these tests fail first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from contracts.envelope import Envelope, Event
from contracts.registry import event_types
from contracts.export_schemas import (SCHEMA_DIR, differences, event_schema, export, file_name,
                                      main, render)

EVENT_TYPES = sorted(event_types().items())
IRREGULAR_PAST = {"Withdrawn", "Withdrew", "Left", "Met", "Paid", "Sent", "Held", "Made", "Given", "Taken", "Lost", "Set"}
EXPORT = "python -m contracts.export_schemas"


@pytest.mark.parametrize(("name", "event_type"), EVENT_TYPES, ids=[n for n, _ in EVENT_TYPES])
def test_published_schema_unchanged_within_a_version(name: str, event_type: type[Event]) -> None:
    path = SCHEMA_DIR / file_name(event_type)
    assert path.exists(), (
        f"{path.name} is missing: a new event or a bumped schema_version needs its schema file. "
        f"Run `{EXPORT}` and commit the file."
    )
    committed = json.loads(path.read_text("utf-8"))
    assert event_schema(event_type) == committed, (
        f"{name} changed but its schema_version is still {event_type.schema_version}, and consumers "
        f"already rely on {path.name}. Bump {name}.schema_version, then run `{EXPORT}` "
        f"(the old file stays for events already stored)."
    )


def test_envelope_schema_unchanged() -> None:
    # The envelope has no version of its own: every consumer reads it, so a change is deliberate.
    committed = json.loads((SCHEMA_DIR / "Envelope.json").read_text("utf-8"))
    assert Envelope.model_json_schema() == committed, (
        f"the Envelope changed: every consumer is affected. If intended, run `{EXPORT}`."
    )


def test_committed_files_are_exactly_what_the_export_writes() -> None:
    # Byte for byte (sorted keys, indent 2, trailing newline), so the export never churns diffs.
    assert differences() == [], f"run `{EXPORT}`"


def test_check_mode_reports_a_changed_or_missing_schema(tmp_path: Path, capsys) -> None:
    export(tmp_path)
    assert main(["--check", "--dir", str(tmp_path)]) == 0
    changed = tmp_path / "PairEnded.v2.json"
    schema = json.loads(changed.read_text("utf-8"))
    schema["properties"]["note"] = {"type": "string"}
    changed.write_text(render(schema), "utf-8")
    (tmp_path / "WishCancelled.v2.json").unlink()

    assert main(["--check", "--dir", str(tmp_path)]) == 1
    report = capsys.readouterr().err
    assert "PairEnded.v2.json: differs" in report
    assert "WishCancelled.v2.json: missing" in report
    assert "bump schema_version" in report


@pytest.mark.parametrize(("name", "event_type"), EVENT_TYPES, ids=[n for n, _ in EVENT_TYPES])
def test_event_class_follows_the_conventions(name: str, event_type: type[Event]) -> None:
    assert event_type.model_config.get("frozen") is True, f"{name} must be frozen"
    assert event_type.model_config.get("extra") == "forbid", f"{name} must refuse unknown fields"
    # 'PairFormed', and also 'ChildJoinedPair': some word after the subject is a past participle.
    words = re.findall(r"[A-Z][a-z]*", name)[1:]
    assert any(w.endswith("ed") or w in IRREGULAR_PAST for w in words), f"{name} is not past tense"
    aggregate_type = getattr(event_type, "aggregate_type", None)
    assert aggregate_type, f"{name} has no aggregate_type"
    # A context's own aggregate of another's id (`pairing_child`) is keyed by that id (`child_id`).
    keyed_by = event_type.keyed_by or aggregate_type
    assert f"{keyed_by}_id" in event_type.model_fields, (
        f"{name} has aggregate_type {aggregate_type!r} but no field {keyed_by}_id"
    )
