"""Nothing personal reaches the feed: domain events full of a child's, a guardian's and a volunteer's
particulars (here even in plaintext where the log seals them, as the worst case) are translated, and
no message holds any of those values, nor a field named for them."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from uuid import uuid4

from contracts.activity.care import ActivityKind, ActivityLogged, ActivityPlace, VisitKind, VisitLogged
from contracts.activity.wishes import WishCategory, WishFulfilled, WishSubmitted
from contracts.intake.child_file import (ChildExited, ChildNeedsSurveyed, ChildTransferredIn, ConsentScope,
                                         ExitReason, GuardianConsentGiven, NeedKind)
from contracts.activity.concerns import (ChildRiskAssessed, ConcernClosed, ConcernFollowedUp, ConcernKind,
                                         ConcernOutcome, ConcernRaised, ConcernReferred, ProfessionalKind,
                                         RiskTier)
from contracts.envelope import Actor, Envelope, Event, FederationLevel
from contracts.feed import INTEGRATION_EVENTS
from contracts.feed.export_schemas import envelope_schema, event_schema
from contracts.intake.registration import (ChildCategory, ChildRegistered, ChildSubtype, GuardianRelation,
                                           Sex, VolunteerKind, VolunteerRecruited, VolunteerType)
from contracts.pairing.pairs import PairFormed, PairMode
from contracts.privacy import LegacyPlaintext, Sealed
from contracts.intake.volunteers import VolunteerWithdrew
from services.feed.translate import pseudonymiser, translate
from services.shared.eventlog.records import StoredEvent

CHILD, VOLUNTEER, PAIR, CONCERN, WISH = "child-wxm-0314", "vol-lifang", "pair-wxm-lifang", "concern-wxm-1", "wish-wxm-1"
BIRTH = date(2010, 3, 14)
ACTOR = Actor(operator_id="zhangli_haizhu", level=FederationLevel.district, region="440105000000")
VILLAGE = "440105001101"


def leaked(key_id: str, text: str) -> Sealed:
    """A sealed field whose 'ciphertext' is the plaintext itself: were it copied, the test would see it."""
    return Sealed(key_id=key_id, nonce="bm9uY2Utd3ht", ciphertext=text)


PERSONAL = leaked(CHILD, "王小明|440105201003141234|广州市海珠区江南大道中100号|海珠实验小学")
GUARDIAN = leaked("guardian-wxm", "王奶奶|13800138000")
CHILD_FACTS = dict(child_id=CHILD, sex=Sex.female, birth_date=BIRTH, category=ChildCategory.in_difficulty,
                   subtype=ChildSubtype.parent_imprisoned, grade=10, personal=PERSONAL,
                   guardian_relation=GuardianRelation.grandparent, guardian=GUARDIAN)
NOTE = leaked(CHILD, "孩子有抑郁倾向，父亲服刑")
EVENTS: list[Event] = [
    ChildRegistered(region=VILLAGE, **CHILD_FACTS),
    ChildTransferredIn(region=VILLAGE, from_region="510623100200", active_pair_ids=(PAIR,), **CHILD_FACTS),
    GuardianConsentGiven(child_id=CHILD, relation=GuardianRelation.grandparent, given_by=GUARDIAN,
                         scopes=(ConsentScope.pairing,), given_on=date(2026, 1, 5)),
    ChildRiskAssessed(child_id=CHILD, region=VILLAGE, tier=RiskTier.red, previous_tier=RiskTier.yellow,
                      reason=NOTE),
    ChildNeedsSurveyed(child_id=CHILD, needs=(NeedKind.psychological_counselling,), notes=NOTE,
                       surveyed_on=date(2026, 1, 6)),
    ChildExited(child_id=CHILD, reason=ExitReason.deceased, exited_on=date(2026, 4, 1)),
    VolunteerRecruited(volunteer_id=VOLUNTEER, region=VILLAGE, sex=Sex.female, kind=VolunteerKind.mother,
                       volunteer_type=VolunteerType.neighbour, specialties=("心理咨询师资格",), capacity=2,
                       personal=leaked(VOLUNTEER, "李芳|13912345678")),
    VolunteerWithdrew(volunteer_id=VOLUNTEER, reason="丈夫调动工作到深圳"),
    PairFormed(pair_id=PAIR, mode=PairMode.one_to_one, region=VILLAGE, child_ids=(CHILD,),
               volunteer_ids=(VOLUNTEER,), formed_on=date(2026, 1, 10)),
    VisitLogged(pair_id=PAIR, visit_id="visit-wxm-1", kind=VisitKind.counselling, visited_on=date(2026, 1, 20),
                duration_minutes=45, child_ids=(CHILD,), note=NOTE),
    ActivityLogged(pair_id=PAIR, activity_id="act-wxm-1", kind=ActivityKind.home_visit, held_on=date(2026, 1, 21),
                   duration_minutes=60, place=ActivityPlace.home, volunteer_ids=(VOLUNTEER,), child_ids=(CHILD,),
                   guardians_present=1, person_times=3, note=NOTE, evidence=("photo-wxm-home.jpg",)),
    WishSubmitted(wish_id=WISH, child_id=CHILD, region=VILLAGE, item=LegacyPlaintext(plaintext="粉色自行车"),
                  category=WishCategory.sports, estimated_cost_yuan=399.0),
    WishFulfilled(wish_id=WISH, child_id=CHILD, donor_id="donor-zhangsan",
                  donor=LegacyPlaintext(plaintext="张三五金店")),
    ConcernRaised(concern_id=CONCERN, child_id=CHILD, region=VILLAGE, kind=ConcernKind.depression_signs,
                  raised_by=VOLUNTEER, raised_on=date(2026, 2, 1), note=NOTE),
    ConcernReferred(concern_id=CONCERN, child_id=CHILD, professional=ProfessionalKind.psychological_counsellor,
                    referred_on=date(2026, 2, 2), details=leaked(CHILD, "陈医生")),
    ConcernFollowedUp(concern_id=CONCERN, child_id=CHILD, followed_up_on=date(2026, 2, 9), note=NOTE),
    ConcernClosed(concern_id=CONCERN, child_id=CHILD, outcome=ConcernOutcome.handed_over, closed_on=date(2026, 3, 1),
                  note=NOTE),
]
SECRETS = ["王小明", "440105201003141234", "20100314", "2010-03-14", "江南大道", "海珠实验小学", "王奶奶",
           "13800138000", "李芳", "13912345678", "抑郁", "服刑", "陈医生", "粉色自行车", "张三五金店", "心理咨询师",
           "丈夫调动", "photo-wxm", "zhangli_haizhu", "bm9uY2Utd3ht", CHILD, VOLUNTEER, PAIR, CONCERN, WISH,
           "guardian-wxm", "donor-zhangsan", "visit-wxm", "act-wxm", "510623100200", "parent_imprisoned",
           "depression_signs", "psychological", "counselling", "grandparent", "handed_over", "deceased"]
TOKENS = {"female", "male", "mother", "red", "yellow", "home", "sports", "2026-01-05", "2026-01-06",
          "2026-02-02", "2026-02-09"}  # exact values: shorter words are parts of allowed ones
DENIED_KEYS = ("birth", "sex", "subtype", "tier", "name", "phone", "note", "actor", "address", "id_number",
               "school", "grade", "specialt", "donor", "item", "evidence", "kind_of_concern", "professional")


def stored(event: Event, seq: int) -> StoredEvent:
    at = datetime(2026, 4, 2, 8, tzinfo=timezone.utc)
    envelope = Envelope(event_id=uuid4(), event_type=type(event).type_name(), schema_version=type(event).schema_version,
                        aggregate_type=event.aggregate_type, aggregate_id=event.aggregate_id, aggregate_version=seq,
                        occurred_at=at, recorded_at=at, actor=ACTOR, region=VILLAGE, correlation_id="corr",
                        causation_id="cause", data=event.model_dump(mode="json"))
    return StoredEvent(seq, f"aixin.evt.44.4401.440105.440105001.{VILLAGE}.{event.aggregate_type}.x", envelope)


def walk(value, keys: set[str], leaves: set[str]) -> None:
    if isinstance(value, dict):
        keys.update(value)
        for item in value.values():
            walk(item, keys, leaves)
    elif isinstance(value, list):
        for item in value:
            walk(item, keys, leaves)
    else:
        leaves.add(str(value))


def denied(key: str) -> bool:
    return any(word in key for word in DENIED_KEYS) or key == "guardian" or key.startswith("guardian_")


def test_no_message_holds_a_personal_value_nor_a_field_named_for_one() -> None:
    messages = [m for seq, event in enumerate(EVENTS, 1) for m in translate(stored(event, seq), pseudonymiser(b"k"))]
    assert len(messages) == 11  # the six others are events the feed leaves out
    for message in messages:
        text = message.encode().decode()
        assert [s for s in SECRETS if s in text] == [], message.kind
        keys: set[str] = set()
        leaves: set[str] = set()
        walk(json.loads(text), keys, leaves)
        assert leaves & TOKENS == set(), message.kind
        assert sorted(filter(denied, keys)) == [], message.kind


def test_no_published_schema_has_a_field_named_for_personal_data() -> None:
    schemas = [envelope_schema(), *map(event_schema, INTEGRATION_EVENTS)]
    names = {name for schema in schemas for name in schema.get("properties", {})}
    assert sorted(filter(denied, names)) == []
