"""Export the JSON Schema of every event, and of the envelope, to contracts/schemas/.

    python -m contracts.export_schemas            write the files of the current schema versions
    python -m contracts.export_schemas --check    exit 1, listing what differs from the files

One file per event type and schema version (`PairFormed.v1.json`): other systems code against these
files, so a published version never changes. Files of older versions stay, for consumers that still
read events written with them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contracts.envelope import Envelope, Event
from contracts.registry import event_types

SCHEMA_DIR = Path(__file__).parent / "schemas"


def event_schema(event_type: type[Event]) -> dict[str, Any]:
    """The event's JSON Schema, with the class-level facts that are part of the contract too."""
    schema = event_type.model_json_schema()
    schema["x-aixin"] = {"event_type": event_type.type_name(),
                         "schema_version": event_type.schema_version,
                         "aggregate_type": event_type.aggregate_type}
    return schema


def file_name(event_type: type[Event]) -> str:
    return f"{event_type.type_name()}.v{event_type.schema_version}.json"


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def current_files() -> dict[str, str]:
    """File name -> the text it must have, for the envelope and every event's current version."""
    files = {"Envelope.json": render(Envelope.model_json_schema())}
    for _, event_type in sorted(event_types().items()):
        files[file_name(event_type)] = render(event_schema(event_type))
    return files


def export(directory: Path = SCHEMA_DIR) -> list[str]:
    """Write every current file; returns the names of the files that were written or changed."""
    return write_files(current_files(), directory)


def differences(directory: Path = SCHEMA_DIR) -> list[str]:
    """The files that are missing from `directory` or differ from the current schemas."""
    return stale_files(current_files(), directory)


def main(argv: list[str] | None = None) -> int:
    return run(argv, "python -m contracts.export_schemas", __doc__, current_files, SCHEMA_DIR,
               "bump schema_version of each changed event, then run `python -m contracts.export_schemas`")


# The same for every set of schema files the contract publishes (events here, the feed's in
# `contracts.feed.export_schemas`): written where they differ, compared by --check.

def write_files(files: dict[str, str], directory: Path) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in files.items():
        path = directory / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            changed.append(name)
    return changed


def stale_files(files: dict[str, str], directory: Path) -> list[str]:
    stale = []
    for name, text in files.items():
        path = directory / name
        if not path.exists():
            stale.append(f"{name}: missing")
        elif path.read_text("utf-8") != text:
            stale.append(f"{name}: differs from the model")
    return stale


def run(argv: list[str] | None, prog: str, doc: str | None, files, default_dir: Path, hint: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    parser.add_argument("--dir", type=Path, default=default_dir, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(files(), args.dir)
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print(hint, file=sys.stderr)
        return 1 if stale else 0
    for name in write_files(files(), args.dir):
        print(f"wrote {args.dir / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
