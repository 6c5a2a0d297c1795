"""A file as its page shows it, worked out from GET /children|volunteers|pairs/{id}/file with no
I/O: who she is, her guardian and consent, her needs surveys (the latest first), her tier and why,
where she has lived, her pairs, wishes and concerns and where each stands, and every event as a
sentence (services.dashboard.wording). Values a role may not read are absent from the answer (or
marked sealed), and so from the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.dashboard.i18n import Translator
from services.dashboard.wording import HIDDEN, day_of, free_text, place, sentence, word

OPEN_WISH = ("submitted", "approved", "pledged")
WISH_STEPS = {"WishSubmitted": "submitted", "WishApproved": "approved", "WishPledged": "pledged",
              "WishFulfilled": "fulfilled", "WishCancelled": "cancelled", "WishCardRedeemed": "fulfilled"}
PAIR_STEPS = {"PairProposed": "proposed", "PairApproved": "approved", "PairFormed": "active", "PairEnded": "ended",
              "PairRejected": "rejected", "PairProposalWithdrawn": "withdrawn"}
CARE = ("VisitLogged", "ActivityLogged")


@dataclass
class Record:
    """A pair, a wish or a concern of the file: where it stands and what the page shows of it."""
    id: str
    kind: str
    status: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)  # its events' sentences, oldest first


def readable(value: object) -> object:
    """None for what the role may not read (sealed, withheld), else the value."""
    return None if isinstance(value, str) and value in HIDDEN else value


def timeline(answer: dict, t: Translator) -> list[dict]:
    """Every event of the file, newest first, as a sentence with its free text, who recorded it and when."""
    people = _people(answer)
    rows = []
    for event in answer.get("events", []):
        actor = event.get("actor") or {}
        rows.append({"type": t.event(str(event.get("event_type", ""))), "event_type": event.get("event_type"),
                     "sentence": sentence(event, t, _with_pair(people, event)), "texts": free_text(event, t),
                     "at": event.get("occurred_at", ""), "when": t.moment(event.get("occurred_at")),
                     "by": actor.get("operator_id", ""), "role": t.label(f"file.role.{actor.get('role')}", "")})
    return rows[::-1]


def _people(answer: dict) -> dict[str, Any]:
    """The names the answer gives, and each pair's volunteers (a visit names none of its own)."""
    pairs: dict[str, list[str]] = {}
    for event in answer.get("events", []):
        if event.get("event_type") in ("PairFormed", "PairProposed"):
            pairs[event["aggregate_id"]] = list(event["data"].get("volunteer_ids") or [])
    return {"children": answer.get("children") or {}, "volunteers": answer.get("volunteers") or {}, "pairs": pairs}


def _with_pair(people: dict, event: dict) -> dict:
    """A pair's event (its care too, kept under the pair's id) told with the pair's volunteers."""
    if event.get("aggregate_id") in people["pairs"]:
        return {**people, "pair_volunteers": people["pairs"][event["aggregate_id"]]}
    return people


def child_file(answer: dict, t: Translator) -> dict:
    """The sections of a child's page."""
    facts: dict[str, Any] = {"consent": {}, "surveys": [], "tiers": [], "places": [], "exited": None}
    records: dict[str, Record] = {}
    people = _people(answer)
    for event in answer.get("events", []):
        kind, data, day = event.get("event_type"), event.get("data") or {}, day_of(event)
        if event.get("aggregate_type") != "child":
            _record(records, event, t, people)
        elif kind in ("ChildRegistered", "ChildTransferredIn"):
            facts["identity"] = _identity(data, t)
            facts["places"].append((day, place(data.get("region"), t)))
        elif kind == "ChildPlaceCompleted":
            facts["places"].append((day, place(data.get("region"), t)))
        elif kind == "ChildNeedsSurveyed":
            facts["surveys"].insert(0, {"day": day, "notes": readable(data.get("notes")),
                                        "needs": [word(t, "NeedKind", n) for n in data.get("needs") or []]})
        elif kind == "ChildRiskAssessed":
            facts["tiers"].insert(0, {"day": day, "tier": data.get("tier"), "reason": readable(data.get("reason")),
                                      "word": word(t, "RiskTier", data.get("tier"))})
        elif kind == "GuardianConsentGiven":
            for scope in data.get("scopes") or []:
                facts["consent"][scope] = {"given": True, "day": day, "by": readable(data.get("given_by")),
                                           "relation": word(t, "GuardianRelation", data.get("relation"))}
        elif kind == "GuardianConsentWithdrawn":
            for scope in data.get("scopes") or []:
                facts["consent"][scope] = {"given": False, "day": day}
        elif kind == "ChildExited":
            facts["exited"] = {"day": day, "reason": word(t, "ExitReason", data.get("reason"))}
    facts["consent"] = [(word(t, "ConsentScope", scope), facts["consent"].get(scope))
                        for scope in ("pairing", "data_sharing", "photos")]
    facts["pairs"] = [r for r in records.values() if r.kind == "pair"]
    facts["wishes"] = [r for r in records.values() if r.kind == "wish"]
    facts["concerns"] = [r for r in records.values() if r.kind == "concern"]
    return facts


def pairs_of(answer: dict, t: Translator) -> list[Record]:
    """The pairs a file's events tell of (a volunteer's, or a pair's own)."""
    records: dict[str, Record] = {}
    people = _people(answer)
    for event in answer.get("events", []):
        if event.get("aggregate_type") == "pair":
            _record(records, event, t, people)
    return list(records.values())


def _identity(data: dict, t: Translator) -> dict:
    personal, guardian = readable(data.get("personal")), readable(data.get("guardian"))
    personal = personal if isinstance(personal, dict) else {}
    guardian = guardian if isinstance(guardian, dict) else {}
    return {"name": personal.get("name"), "school": personal.get("school"), "address": personal.get("address"),
            "id_number": personal.get("id_number"), "sex": word(t, "Sex", data.get("sex")),
            "birth_date": data.get("birth_date"), "grade": data.get("grade"),
            "category": word(t, "ChildCategory", data.get("category")),
            "subtype": word(t, "ChildSubtype", data["subtype"]) if data.get("subtype") else None,
            "guardian_relation": word(t, "GuardianRelation", data["guardian_relation"])
            if data.get("guardian_relation") else None,
            "guardian_name": guardian.get("name"), "guardian_phone": guardian.get("phone")}


def _record(records: dict[str, Record], event: dict, t: Translator, people: dict) -> None:
    """A pair's, wish's or concern's event into its record: its status, facts and steps."""
    the_id, data = event.get("aggregate_id"), event.get("data") or {}
    # A record is what its first event made it (a pair); later events under its id may come from
    # another context's aggregate of the same id (the pair's care) and belong to it all the same.
    record = records.setdefault(the_id, Record(the_id, event.get("aggregate_type")))
    kind = record.kind
    record.steps.append(sentence(event, t, _with_pair(people, event)))
    step, day = event.get("event_type"), day_of(event)
    if kind == "pair":
        record.status = PAIR_STEPS.get(step, record.status)
        if step in ("PairFormed", "PairProposed"):
            record.facts.update(mode=word(t, "PairMode", data.get("mode")), since=day, region=data.get("region"),
                                volunteers=[(v, people["volunteers"].get(v)) for v in data.get("volunteer_ids") or []],
                                children=[(c, people["children"].get(c)) for c in data.get("child_ids") or []])
        elif step == "PairEnded":
            record.facts.update(ended=day, reason=word(t, "PairEndReason", data.get("reason")))
        elif step in CARE:
            record.facts.update(care=record.facts.get("care", 0) + 1, last_care=day)
    elif kind == "wish":
        record.status = WISH_STEPS.get(step, record.status)
        if step == "WishSubmitted":
            record.facts.update(item=readable(data.get("item")), since=day, category=word(
                t, "WishCategory", data.get("category")), cost=t.number(data.get("estimated_cost_yuan")))
        elif step in ("WishFulfilled", "WishCancelled"):
            record.facts.update(closed=day)
    elif kind == "concern":
        _concern(record, step, data, day, t)


def _concern(record: Record, step: str, data: dict, day: str, t: Translator) -> None:
    if step == "ConcernRaised":
        record.status = "open"
        record.facts.update(kind=word(t, "ConcernKind", data.get("kind")), since=day, note=readable(data.get("note")),
                            referred=[], follow_ups=0)
    elif step == "ConcernReferred":
        record.facts.setdefault("referred", []).append(word(t, "ProfessionalKind", data.get("professional")))
    elif step == "ConcernFollowedUp":
        record.facts["follow_ups"] = record.facts.get("follow_ups", 0) + 1
    elif step == "ConcernClosed":
        record.status = "closed"
        record.facts.update(closed=day, outcome=word(t, "ConcernOutcome", data.get("outcome")))
