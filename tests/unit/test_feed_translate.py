"""The translator from the domain log to the integration feed (services.feed.translate), pure: each
domain event the feed tells of gives its integration event, pseudonymised, and nothing personal
ever reaches a message — whatever the domain event holds."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from contracts.activity.care import (ActivityKind, ActivityLogged, ActivityPlace, StationActivityLogged,
                                     TeamActivityLogged, VisitKind, VisitLogged)
from contracts.activity.wishes import WishFulfilled
from contracts.intake.child_file import (ChildExited, ChildPersonalDataErased, ChildPlaceCompleted,
                                         ChildTransferredIn, ChildTransferredOut, ErasureRequester,
                                         ExitReason)
from contracts.activity.concerns import (ChildRiskAssessed, ConcernClosed, ConcernKind, ConcernOutcome,
                                         ConcernRaised, RiskTier)
from contracts.envelope import Actor, Envelope, Event, FederationLevel
from contracts.feed import INTEGRATION_EVENTS, FeedMessage
from contracts.feed import events as feed
from contracts.intake.registration import (ChildCategory, ChildRegistered, ChildSubtype, GuardianRelation,
                                           Sex, VolunteerKind, VolunteerRecruited, VolunteerType)
from contracts.pairing.pairs import PairEndReason, PairEnded, PairFormed, PairMode
from contracts.privacy import Sealed
from contracts.intake.volunteers import VolunteerWithdrew
from services.feed.translate import TRANSLATIONS, pseudonymiser, translate
from services.shared.eventlog.records import StoredEvent

VILLAGE = "440105001101"
ACTOR = Actor(operator_id="op-haizhu", level=FederationLevel.district, region="440105000000")
AT = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
P = pseudonymiser(b"guangdong-provincial-system")
SEALED = Sealed(key_id="c1", nonce="AA==", ciphertext="AA==")


def stored(event: Event, region: str = VILLAGE, seq: int = 7, event_id: UUID | None = None,
           at: datetime = AT, data: dict | None = None, version: int | None = None) -> StoredEvent:
    envelope = Envelope(
        event_id=event_id or uuid4(), event_type=type(event).type_name(),
        schema_version=version or type(event).schema_version, aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id, aggregate_version=1, occurred_at=at, recorded_at=at, actor=ACTOR,
        region=region, correlation_id="corr", causation_id="cause",
        data=data if data is not None else event.model_dump(mode="json"))
    return StoredEvent(seq, "aixin.evt.subject", envelope)


def registered(child_id: str = "c1", birth: date = date(2015, 9, 1)) -> ChildRegistered:
    return ChildRegistered(child_id=child_id, region=VILLAGE, sex=Sex.female, birth_date=birth,
                           category=ChildCategory.in_difficulty, subtype=ChildSubtype.disabled, grade=4,
                           personal=SEALED, guardian_relation=GuardianRelation.grandparent, guardian=SEALED)


def facts(**more) -> dict:
    return dict(activity_id="a1", kind=ActivityKind.reading, held_on=date(2026, 3, 1), duration_minutes=90,
                place=ActivityPlace.station, volunteer_ids=("v1", "v2"), child_ids=("c1", "c2", "c3"),
                guardians_present=2, person_times=9, note=SEALED, evidence=("photo-1",), **more)


COUNTS = dict(duration_minutes=90, children=3, volunteers=2, guardians=2, person_times=9)
CASES = {
    "registered": (registered(), feed.ChildOnFile(
        child_id=P("child", "c1"), category=ChildCategory.in_difficulty, age_band=feed.AgeBand.primary,
        arrival=feed.ChildArrival.registered, from_county=None, active_pairs=0, on_file_since=date(2026, 3, 2))),
    "transferred in": (ChildTransferredIn(
        child_id="c1", region="510623100200", from_region=VILLAGE, sex=Sex.male, birth_date=date(2011, 3, 2),
        category=ChildCategory.left_behind, subtype=ChildSubtype.both_parents_away, grade=None, personal=SEALED,
        guardian_relation=None, guardian=None, active_pair_ids=("p1",)), feed.ChildOnFile(
        child_id=P("child", "c1"), category=ChildCategory.left_behind, age_band=feed.AgeBand.upper_secondary,
        arrival=feed.ChildArrival.transferred_in, from_county="440105000000", active_pairs=1,
        on_file_since=date(2026, 3, 2))),
    "transferred out": (ChildTransferredOut(child_id="c1", from_region=VILLAGE, to_region="510623100200"),
                        feed.ChildMovedOut(child_id=P("child", "c1"), to_county="510623000000",
                                           moved_on=date(2026, 3, 2))),
    "place completed": (ChildPlaceCompleted(child_id="c1", region=VILLAGE, from_region="440105000000"),
                        feed.ChildPlaceCompleted(child_id=P("child", "c1"), from_county="440105000000",
                                                 completed_on=date(2026, 3, 2))),
    "exited": (ChildExited(child_id="c1", reason=ExitReason.parents_returned, exited_on=date(2026, 2, 28)),
               feed.ChildExited(child_id=P("child", "c1"), reason=feed.ExitReason.parents_returned,
                                exited_on=date(2026, 2, 28))),
    "died": (ChildExited(child_id="c1", reason=ExitReason.deceased, exited_on=date(2026, 2, 28)),
             feed.ChildExited(child_id=P("child", "c1"), reason=feed.ExitReason.other, exited_on=date(2026, 2, 28))),
    "erased": (ChildPersonalDataErased(child_id="c1", requested_by=ErasureRequester.guardian),
               feed.ChildDataErased(pseudonyms=(P("child", "c1"),), erased_on=date(2026, 3, 2))),
    "pair formed": (PairFormed(pair_id="p1", mode=PairMode.one_to_many, region=VILLAGE, child_ids=("c1", "c2"),
                               volunteer_ids=("v1",), formed_on=date(2026, 2, 14)), feed.PairFormed(
        pair_id=P("pair", "p1"), mode=PairMode.one_to_many, child_ids=(P("child", "c1"), P("child", "c2")),
        volunteer_ids=(P("volunteer", "v1"),), formed_on=date(2026, 2, 14))),
    "pair ended": (PairEnded(pair_id="p1", reason=PairEndReason.moved),
                   feed.PairEnded(pair_id=P("pair", "p1"), reason=PairEndReason.moved, ended_on=date(2026, 3, 2))),
    "visit": (VisitLogged(pair_id="p1", visit_id="x1", kind=VisitKind.counselling, visited_on=date(2026, 3, 1),
                          duration_minutes=30, child_ids=("c1",), note=SEALED), feed.ActivityHeld(
        organiser=feed.Organiser.pair, organiser_id=P("pair", "p1"), activity=feed.ContactKind.other,
        held_on=date(2026, 3, 1), duration_minutes=30, children=1, volunteers=None, guardians=None,
        person_times=None)),
    "pair activity": (ActivityLogged(pair_id="p1", **facts()), feed.ActivityHeld(
        organiser=feed.Organiser.pair, organiser_id=P("pair", "p1"), activity=feed.ContactKind.reading,
        held_on=date(2026, 3, 1), **COUNTS)),
    "station activity": (StationActivityLogged(station_id="s1", **facts()), feed.ActivityHeld(
        organiser=feed.Organiser.station, organiser_id=P("station", "s1"), activity=feed.ContactKind.reading,
        held_on=date(2026, 3, 1), **COUNTS)),
    "team activity": (TeamActivityLogged(team_id="t1", **facts()), feed.ActivityHeld(
        organiser=feed.Organiser.team, organiser_id=P("team", "t1"), activity=feed.ContactKind.reading,
        held_on=date(2026, 3, 1), **COUNTS)),
    "wish fulfilled": (WishFulfilled(wish_id="w1", child_id="c1", donor_id="d1", donor=SEALED),
                       feed.WishFulfilled(wish_id=P("wish", "w1"), child_id=P("child", "c1"),
                                          fulfilled_on=date(2026, 3, 2))),
    "concern raised": (ConcernRaised(concern_id="k1", child_id="c1", region=VILLAGE, kind=ConcernKind.safety,
                                     raised_by="v1", raised_on=date(2026, 2, 20), note=SEALED),
                       feed.ConcernRaised(concern_id=P("concern", "k1"), child_id=P("child", "c1"),
                                          raised_on=date(2026, 2, 20))),
    "concern closed": (ConcernClosed(concern_id="k1", child_id="c1", outcome=ConcernOutcome.handed_over,
                                     closed_on=date(2026, 3, 1), note=None),
                       feed.ConcernClosed(concern_id=P("concern", "k1"), child_id=P("child", "c1"),
                                          closed_on=date(2026, 3, 1))),
    "volunteer": (VolunteerRecruited(volunteer_id="v1", region=VILLAGE, sex=Sex.female, kind=VolunteerKind.family,
                                     volunteer_type=VolunteerType.specialist, specialties=("心理",), capacity=2,
                                     personal=SEALED), feed.VolunteerOnFile(
        volunteer_id=P("volunteer", "v1"), volunteer_type=VolunteerType.specialist, family=True, capacity=2,
        on_file_since=date(2026, 3, 2))),
    "volunteer withdrew": (VolunteerWithdrew(volunteer_id="v1", reason="搬家"),
                           feed.VolunteerWithdrew(volunteer_id=P("volunteer", "v1"), withdrew_on=date(2026, 3, 2))),
}


@pytest.mark.parametrize(("event", "expected"), CASES.values(), ids=CASES.keys())
def test_a_domain_event_gives_its_integration_event(event: Event, expected: feed.IntegrationEvent) -> None:
    origin = stored(event, seq=31)
    [message] = translate(origin, P)
    assert message.event() == expected
    assert (message.kind, message.version) == (expected.kind, expected.version)
    assert (message.origin_event_id, message.origin_seq) == (str(origin.envelope.event_id), 31)
    assert (message.region, message.occurred_on) == (VILLAGE, expected.occurred_on)
    assert message.subject.endswith(f".440105001101.{expected.kind}")


def test_every_integration_event_and_every_routed_domain_event_is_exercised_above() -> None:
    assert {type(expected) for _, expected in CASES.values()} == set(INTEGRATION_EVENTS)
    assert {type(event) for event, _ in CASES.values()} == set(TRANSLATIONS)


def test_a_pair_of_schema_version_1_was_formed_the_day_it_was_recorded() -> None:
    event = PairFormed(pair_id="p1", mode=PairMode.one_to_one, region=VILLAGE, child_ids=("c1",),
                       volunteer_ids=("v1",))
    data = event.model_dump(mode="json", exclude={"formed_on"})
    [message] = translate(stored(event, data=data, version=1), P)
    assert message.event().formed_on == date(2026, 3, 2)


def test_a_person_on_file_since_her_business_day_not_the_day_she_was_entered() -> None:
    # Registered on 1 September 2024, entered on 2 March 2026: her age band is of the day she came.
    child = registered(birth=date(2018, 9, 2)).model_copy(update={"registered_on": date(2024, 9, 1)})
    [message] = translate(stored(child), P)  # 5 then, 7 on the day she was entered
    assert (message.event().on_file_since, message.event().age_band) == (date(2024, 9, 1), feed.AgeBand.under_6)
    ended = PairEnded(pair_id="p1", reason=PairEndReason.moved, ended_on=date(2025, 12, 31))
    assert translate(stored(ended), P)[0].event().ended_on == date(2025, 12, 31)


def test_an_event_the_feed_leaves_out_or_does_not_know_makes_no_message() -> None:
    risk = ChildRiskAssessed(child_id="c1", region="440105001101", tier=RiskTier.red, previous_tier=None,
                             reason=SEALED)
    assert translate(stored(risk), P) == []
    unknown = stored(risk).envelope.model_copy(update={"event_type": "SomethingNewAssessed"})
    assert translate(StoredEvent(8, "aixin.evt.subject", unknown), P) == []


def test_translating_again_gives_the_same_messages_and_ids() -> None:
    origin = stored(CASES["pair formed"][0])
    again = StoredEvent(origin.seq, origin.subject, Envelope.model_validate_json(origin.envelope.model_dump_json()))
    assert translate(origin, P) == translate(again, P)
    other = stored(CASES["pair formed"][0])
    assert translate(other, P)[0].id != translate(origin, P)[0].id


def test_age_band_is_taken_on_the_day_the_file_arrives() -> None:
    before, on = (translate(stored(registered(birth=date(2014, 3, 2)), at=at), P)[0].event()
                  for at in (datetime(2026, 3, 1, tzinfo=timezone.utc), AT))
    assert (before.age_band, on.age_band) == (feed.AgeBand.primary, feed.AgeBand.lower_secondary)


def test_pseudonyms_are_stable_for_a_key_and_differ_between_keys_and_types() -> None:
    other = pseudonymiser(b"guangzhou-city-system")
    assert P("child", "c1") == pseudonymiser(b"guangdong-provincial-system")("child", "c1")
    assert P("child", "c1") != other("child", "c1")
    assert P("child", "c1") != P("volunteer", "c1") and P("child", "c1") != P("child", "c2")
    assert re.fullmatch(r"c-[0-9a-f]{24}", P("child", "c1"))
    assert [P(t, "x")[:2] for t in ("volunteer", "pair")] == ["v-", "p-"]
    [one], [two] = (translate(stored(registered(), event_id=UUID(int=1)), p) for p in (P, other))
    assert one.id == two.id and one.data["child_id"] != two.data["child_id"]
    with pytest.raises(ValueError):
        pseudonymiser(b"")


def test_feed_message_is_json_of_the_declared_fields_only() -> None:
    for event, _ in CASES.values():
        [message] = translate(stored(event), P)
        assert FeedMessage.decode(message.encode()) == message
        assert set(message.data) == set(type(message.event()).model_fields)


def test_the_translator_loads_no_messaging_nor_database_library() -> None:
    code = ("import sys, services.feed.translate; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'nats', 'faststream', 'sqlalchemy', 'httpx'}))")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert ran.stdout.strip() == "[]"
