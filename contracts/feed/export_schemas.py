"""Export the JSON Schema of every integration event, and of the feed's envelope, to
contracts/feed/schemas/.

    python -m contracts.feed.export_schemas            write the files of the current versions
    python -m contracts.feed.export_schemas --check    exit 1, listing what differs from the files

One file per integration event and version (`pair_formed.v1.json`), and `FeedMessage.v1.json`:
outside systems, often written in other languages, code against these files, so a published
version never changes. Files of older versions stay.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from contracts.export_schemas import render, run, stale_files, write_files
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
    return write_files(current_files(), directory)


def differences(directory: Path = SCHEMA_DIR) -> list[str]:
    """The files that are missing from `directory` or differ from the current schemas."""
    return stale_files(current_files(), directory)


def main(argv: list[str] | None = None) -> int:
    return run(argv, "python -m contracts.feed.export_schemas", __doc__, current_files, SCHEMA_DIR,
               "bump the version of each changed integration event (or FeedMessage.envelope_version), "
               "then run `python -m contracts.feed.export_schemas`")


if __name__ == "__main__":
    sys.exit(main())
