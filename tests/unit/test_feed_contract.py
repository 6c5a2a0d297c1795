"""The feed's published contract (contracts.feed): subjects, the envelope, age bands, and each
integration event's JSON Schema frozen per version, as the domain events' are (test_schemas.py)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from contracts.feed import (BY_KIND, INTEGRATION_EVENTS, AgeBand, FeedMessage, IntegrationEvent, age_band,
                            feed_filter, feed_subject, message_id)
from contracts.feed.events import ChildExited, ExitReason
from contracts.feed.export_schemas import (SCHEMA_DIR, differences, envelope_file_name, envelope_schema,
                                           event_schema, export, file_name, main, render)
from contracts.registry import event_types

EXPORT = "python -m contracts.feed.export_schemas"
KINDS = sorted(INTEGRATION_EVENTS, key=lambda e: e.kind)
ORIGIN = "0b7e4c1a-3f52-4d8e-9a61-2c5d7e8f9a0b"


@pytest.mark.parametrize("event_type", KINDS, ids=[e.kind for e in KINDS])
def test_published_schema_unchanged_within_a_version(event_type: type[IntegrationEvent]) -> None:
    path = SCHEMA_DIR / file_name(event_type)
    assert path.exists(), f"{path.name} is missing: run `{EXPORT}` and commit the file"
    assert event_schema(event_type) == json.loads(path.read_text("utf-8")), (
        f"{event_type.kind} changed but its version is still {event_type.version}, and outside systems "
        f"already code against {path.name}. Bump {event_type.__name__}.version, then run `{EXPORT}`.")


def test_feed_message_schema_unchanged_within_its_version() -> None:
    path = SCHEMA_DIR / envelope_file_name()
    assert envelope_schema() == json.loads(path.read_text("utf-8")), (
        f"FeedMessage changed: bump FeedMessage.envelope_version, then run `{EXPORT}`")


def test_committed_files_are_exactly_what_the_export_writes() -> None:
    assert differences() == [], f"run `{EXPORT}`"


def test_check_mode_reports_a_changed_or_missing_schema(tmp_path: Path, capsys) -> None:
    export(tmp_path)
    assert main(["--check", "--dir", str(tmp_path)]) == 0
    changed = tmp_path / "pair_ended.v1.json"
    schema = json.loads(changed.read_text("utf-8"))
    schema["properties"]["note"] = {"type": "string"}
    changed.write_text(render(schema), "utf-8")
    (tmp_path / "wish_fulfilled.v1.json").unlink()

    assert main(["--check", "--dir", str(tmp_path)]) == 1
    report = capsys.readouterr().err
    assert "pair_ended.v1.json: differs" in report
    assert "wish_fulfilled.v1.json: missing" in report
    assert "bump the version" in report


@pytest.mark.parametrize("event_type", KINDS, ids=[e.kind for e in KINDS])
def test_integration_event_follows_the_conventions(event_type: type[IntegrationEvent]) -> None:
    assert event_type.model_config.get("frozen") is True
    assert event_type.model_config.get("extra") == "forbid"
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", event_type.kind)
    assert event_type.version >= 1
    assert event_type.date_field in event_type.model_fields
    assert event_type.__doc__, f"{event_type.__name__} says what it tells"
    undescribed = [name for name, field in event_type.model_fields.items() if not field.description]
    assert undescribed == [], f"{event_type.kind}: every field says why it is there"


def test_kinds_are_unique_and_apart_from_the_domain_event_names() -> None:
    assert len(BY_KIND) == len(INTEGRATION_EVENTS)
    assert not set(BY_KIND) & set(event_types())


def test_feed_subject_places_a_message_under_its_region_and_kind() -> None:
    assert feed_subject("440105001101", "pair_formed") == "aixin.feed.44.4401.440105.440105001.440105001101.pair_formed"
    assert feed_subject("440117000000", "child_on_file") == "aixin.feed.44.4401.440117._._.child_on_file"
    assert feed_subject("440117", "child_on_file") == feed_subject("440117000000", "child_on_file")


@pytest.mark.parametrize(("office", "expected"), [
    ("44", "aixin.feed.44.>"), ("440000", "aixin.feed.44.>"), ("4401", "aixin.feed.44.4401.>"),
    ("440105", "aixin.feed.44.4401.440105.>"), ("CN", "aixin.feed.>")])
def test_feed_filter_takes_an_office_subtree(office: str, expected: str) -> None:
    assert feed_filter(office) == expected


def test_a_subtree_filter_matches_its_subjects_only() -> None:
    def matches(pattern: str, subject: str) -> bool:
        return subject.startswith(pattern.removesuffix(">"))
    subject = feed_subject("440105001101", "activity_held")
    assert matches(feed_filter("4401"), subject) and matches(feed_filter("CN"), subject)
    assert not matches(feed_filter("4403"), subject) and not matches(feed_filter("51"), subject)


@pytest.mark.parametrize(("birth", "on", "band"), [
    (date(2020, 5, 10), date(2026, 5, 9), AgeBand.under_6), (date(2020, 5, 10), date(2026, 5, 10), AgeBand.primary),
    (date(2014, 5, 10), date(2026, 5, 9), AgeBand.primary),
    (date(2014, 5, 10), date(2026, 5, 10), AgeBand.lower_secondary),
    (date(2011, 5, 10), date(2026, 5, 9), AgeBand.lower_secondary),
    (date(2011, 5, 10), date(2026, 5, 10), AgeBand.upper_secondary),
    (date(2008, 5, 10), date(2026, 5, 9), AgeBand.upper_secondary), (date(2008, 5, 10), date(2026, 5, 10), AgeBand.adult),
    (date(2026, 1, 1), date(2026, 1, 1), AgeBand.under_6),
    (date(2012, 2, 29), date(2024, 2, 28), AgeBand.primary), (date(2012, 2, 29), date(2024, 2, 29), AgeBand.lower_secondary),
    (date(2012, 2, 29), date(2023, 2, 28), AgeBand.primary), (date(2012, 2, 29), date(2023, 3, 1), AgeBand.primary),
])
def test_age_band_turns_on_the_birthday(birth: date, on: date, band: AgeBand) -> None:
    assert age_band(birth, on) is band


def test_age_band_values_are_the_published_bands() -> None:
    assert [b.value for b in AgeBand] == ["0-5", "6-11", "12-14", "15-17", "18+"]


def test_a_feed_message_round_trips_and_gives_back_its_event() -> None:
    event = ChildExited(child_id="c-0123", reason=ExitReason.aged_out, exited_on=date(2026, 7, 1))
    message = FeedMessage.of(event, origin_event_id=ORIGIN, origin_seq=42, region="440105001101")
    assert message.id == message_id(ORIGIN, "child_exited", 0)
    assert (message.kind, message.version, message.occurred_on) == ("child_exited", 1, date(2026, 7, 1))
    assert message.subject == "aixin.feed.44.4401.440105.440105001.440105001101.child_exited"
    assert FeedMessage.decode(message.encode()) == message
    assert message.event() == event
    assert json.loads(message.encode())["data"] == {"child_id": "c-0123", "reason": "aged_out",
                                                    "exited_on": "2026-07-01"}


def test_message_ids_are_uuid5_of_origin_kind_and_index() -> None:
    first = message_id(ORIGIN, "pair_formed", 0)
    assert first == message_id(ORIGIN.upper(), "pair_formed", 0)
    assert len({first, message_id(ORIGIN, "pair_formed", 1), message_id(ORIGIN, "pair_ended", 0),
                message_id("0b7e4c1a-3f52-4d8e-9a61-2c5d7e8f9a0c", "pair_formed", 0)}) == 4
    assert first[14] == "5"
