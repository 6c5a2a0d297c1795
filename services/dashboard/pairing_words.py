"""The pairing pages' words, with no I/O: each term of a matching score said in the page's language
from what the engine says it is (its `kind` and `facts`), why a child cannot be paired or was left
unmatched, why volunteers were passed over, and an unpaired child's row — her village and town by
name, her sex and age, how long she has waited — for the list and the batch preview.

The engine's explanations of why a child is blocked or unmatched are sentences (the CLI prints them
as they are); they are recognised here by their pattern and worded anew. One the patterns do not
know is shown as it is rather than not at all; a test runs the engine on every case and checks
that each one is recognised."""

from __future__ import annotations

import re
import uuid
from datetime import date

from contracts.regions import Region, parse_region, region_name
from services.dashboard.i18n import Translator
from services.dashboard.view import TIER_ORDER

_AT = "pairing.reason."
BLOCKED = ((re.compile(r"^left the programme$"), "pairing.blocked.exited"),
           (re.compile(r"^is (?P<age>\d+): under (?P<least>\d+), and the guardian's consent"),
            "pairing.blocked.consent"),
           (re.compile(r"^already cared for in pair"), "pairing.blocked.cared"),
           (re.compile(r"^a proposal awaits approval"), "pairing.blocked.proposed"),
           (re.compile(r"^no volunteer in (?P<place>\d+) with a free place"), "pairing.unmatched.none"),
           (re.compile(r"^(?P<count>\d+) volunteer\(s\) could take this child"), "pairing.unmatched.outscored"))
PASSED_OVER = {"withdrawn": "pairing.passed.withdrawn", "at capacity": "pairing.passed.full",
               "reserve pool: required training not completed": "pairing.passed.untrained",
               "outside the child's district": "pairing.passed.outside"}
PASSED_HISTORY = "pairing.passed.history"  # already paired or proposed with her, or ended as a mismatch


def reason_text(reason: dict, t: Translator) -> str:
    """One term of a score in words: 「同一街道（赤岗街道）」; the engine's own text where it names no kind."""
    kind, facts = reason.get("kind") or "", reason.get("facts") or {}
    if kind == "eligible":
        return t.gettext(_AT + ("eligible" if facts.get("pairable") else "eligible_later"))
    if kind == "place":
        return t.gettext(f"{_AT}place.{facts.get('level')}", place=place_name(str(facts.get("region", ""))))
    if kind == "need":
        need = str(facts.get("need", ""))
        return t.gettext(_AT + "need", need=t.label(f"pairing.need.{need}", need), specialty=facts.get("specialty", ""))
    if kind == "sex":
        sex = str(facts.get("sex", ""))
        return t.gettext(_AT + "sex", sex=t.label(f"opt.sex.{sex}", sex))
    if kind == "capacity":
        text = t.gettext(_AT + "capacity", load=facts.get("load", 0), capacity=facts.get("capacity", 0))
        proposed = facts.get("proposed") or 0
        return text + (t.gettext(_AT + "capacity_proposed", proposed=proposed) if proposed else "")
    if kind == "tier":
        return t.gettext(f"{_AT}tier.{facts.get('tier') or 'none'}")
    if kind == "known_before":
        ended = str(facts.get("end_reason") or "other")
        return t.gettext(_AT + "known_before", reason=t.label(f"pairing.ended.{ended}", ended))
    return str(reason.get("reason", ""))


def reasons(match: dict, t: Translator) -> list[dict]:
    """A suggestion's (or a proposal's) terms, each with its points and its words, largest first."""
    terms = [{"points": r.get("points", 0), "text": reason_text(r, t)} for r in match.get("reasons", [])]
    return sorted(terms, key=lambda term: -term["points"])


def why_not(text: str, t: Translator) -> str:
    """Why a child cannot be paired now, or got no volunteer in a batch, in words."""
    for pattern, key in BLOCKED:
        if found := pattern.search(text):
            values = found.groupdict()
            if "place" in values:
                values["place"] = place_name(values["place"])
            return t.gettext(key, **values)
    return text


def passed_over(counts: dict[str, int], t: Translator) -> list[str]:
    """Volunteers left out, by why, in words: 「3 名已满额」."""
    return [t.gettext(PASSED_OVER.get(why, PASSED_HISTORY), count=t.number(count))
            for why, count in sorted(counts.items(), key=lambda item: -item[1])]


def place_name(code: str) -> str:
    try:
        return region_name(parse_region(code))
    except (ValueError, KeyError):
        return code


def village_and_town(code: str) -> tuple[str, str]:
    """The names of a community's village (or community) and of its town (or street)."""
    try:
        region = parse_region(code)
    except ValueError:
        return code, ""
    chain = {r.level.value: r for r in region.ancestors()}
    named = [region_name(chain[level]) if level in chain else "" for level in ("community", "street")]
    return named[0], named[1]


def child_row(row: dict, t: Translator, today: date) -> dict:
    """An unpaired child as the list shows her: name or id, sex and age where given, places by
    name, tier, the days since she was registered, and whether a proposal for her awaits approval."""
    village, town = village_and_town(str(row.get("region", "")))
    try:
        waited = (today - date.fromisoformat(str(row.get("registered_on")))).days
    except ValueError:
        waited = None
    sex, age = row.get("sex"), row.get("age")
    return {"child_id": row["child_id"], "name": row.get("name") or row.get("child_name"),
            "who": t.gettext("pairing.sex_age", sex=t.label(f"opt.sex.{sex}", str(sex)), age=age) if sex else "",
            "village": village, "town": town, "tier": row.get("tier") if row.get("tier") in TIER_ORDER else None,
            "registered_on": row.get("registered_on") or "", "waited": waited,
            "proposed": bool(row.get("proposed_in"))}


def batch_regions(office: Region, streets: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Where a batch may be proposed from this office: its district and each of its streets
    (`streets`: the sub-regions its figures list), or its own street."""
    if office.level.value == "street":
        return [(office.code, region_name(office))]
    if office.level.value == "district":
        return [(office.code, region_name(office)), *streets]
    return []


def explanations(reasons_body: dict, proposals: list[dict], t: Translator) -> dict[str, dict]:
    """For each proposal on an approver's page (by pair id): where its child lives, by name, and
    each child-volunteer match's score and terms in words, as the proposer read them."""
    matches = {p["pair_id"]: p.get("matches", []) for p in reasons_body.get("proposals", []) if p.get("pair_id")}
    found = {}
    for p in proposals:
        village, town = village_and_town(str(p.get("region", "")))
        found[p["pair_id"]] = {"where": t.gettext("pairing.card.where", village=village, town=town),
                               "matches": [{"score": m.get("score", 0), "terms": reasons(m, t)}
                                           for m in matches.get(p["pair_id"], [])]}
    return found


NONCE = re.compile(r"^[0-9a-f]{16}$")  # what each page showing proposals carries in its forms


def proposal_id(nonce: str, child_id: str, volunteer_id: str) -> str | None:
    """The pair id a proposal sent from one rendering of a page takes: the same for the same child
    and volunteer from the same page, so that a form sent twice (a double click, a reload of the
    batch's summary) is refused as done already instead of proposing the pair twice. None for a
    nonce no page of ours wrote."""
    if not NONCE.match(nonce):
        return None
    return uuid.uuid5(uuid.NAMESPACE_URL, f"aixin-proposal:{nonce}:{child_id}:{volunteer_id}").hex
