"""Export the JSON Schema of every integration event, and of the feed's envelope, to
contracts/feed/schemas/.

    python -m contracts.feed.export_schemas            write the files of the current versions
    python -m contracts.feed.export_schemas --check    exit 1, listing what differs from the files

One file per integration event and version (`pair_formed.v1.json`), and `FeedMessage.v1.json`:
outside systems, often written in other languages, code against these files, so a published
version never changes. Files of older versions stay.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from contracts.export_schemas import render
from contracts.feed.envelope import FeedMessage
from contracts.feed.events import INTEGRATION_EVENTS, IntegrationEvent
from contracts.feed.subjects import FEED_ROOT

SCHEMA_DIR = Path(__file__).parent / "schemas"


def event_schema(event_type: type[IntegrationEvent]) -> dict[str, Any]:
    """The integration event's JSON Schema, with its kind, version and subject pattern."""
    schema = event_type.model_json_schema()
    schema["x-aixin-feed"] = {"kind": event_type.kind, "version": event_type.version,
                              "subject": f"{FEED_ROOT}.<province>.<city>.<county>.<town>.<village>.{event_type.kind}"}
    return schema


def envelope_schema() -> dict[str, Any]:
    schema = FeedMessage.model_json_schema()
    schema["x-aixin-feed"] = {"envelope_version": FeedMessage.envelope_version}
    return schema


def file_name(event_type: type[IntegrationEvent]) -> str:
    return f"{event_type.kind}.v{event_type.version}.json"


def envelope_file_name() -> str:
    return f"FeedMessage.v{FeedMessage.envelope_version}.json"


def current_files() -> dict[str, str]:
    """File name -> the text it must have, for the envelope and every integration event."""
    files = {envelope_file_name(): render(envelope_schema())}
    for event_type in sorted(INTEGRATION_EVENTS, key=lambda e: e.kind):
        files[file_name(event_type)] = render(event_schema(event_type))
    return files


def export(directory: Path = SCHEMA_DIR) -> list[str]:
    """Write every current file; returns the names of the files that were written or changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in current_files().items():
        path = directory / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            changed.append(name)
    return changed


def differences(directory: Path = SCHEMA_DIR) -> list[str]:
    """The files that are missing from `directory` or differ from the current schemas."""
    stale = []
    for name, text in current_files().items():
        path = directory / name
        if not path.exists():
            stale.append(f"{name}: missing")
        elif path.read_text("utf-8") != text:
            stale.append(f"{name}: differs from the model")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.feed.export_schemas", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        stale = differences(args.dir)
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print("bump the version of each changed integration event (or FeedMessage.envelope_version), "
                  "then run `python -m contracts.feed.export_schemas`", file=sys.stderr)
        return 1 if stale else 0
    for name in export(args.dir):
        print(f"wrote {args.dir / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
