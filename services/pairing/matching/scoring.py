"""The matching score: a sum of plain terms, each with the reason an operator reads.

`explain` is the reference: it lists every term of one child-volunteer score. `score_matrix`
computes the same sums for a whole district at once with numpy (a 2,000 × 2,500 district is five
million pairs, too many to explain one by one); tests check that both agree. Points are integers so
that the optimum of a batch can be checked exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contracts.intake.child_file import NeedKind
from contracts.regions import parse_region, region_name
from services.pairing.matching.profiles import ChildProfile, PastPair, VolunteerProfile

ELIGIBLE = 40  # large beside the other terms, so that pairing one more child usually beats polishing others
SAME_COMMUNITY, SAME_STREET = 30, 15  # same community before same street before same district
NEED_MET = 12  # per surveyed need that one of the volunteer's specialties answers
SAME_SEX = 8
FREE_CAPACITY = 10  # scaled by the share of her capacity still free: the lightly loaded come first
KNOWN_BEFORE = 5
TIER_POINTS = {"red": 30, "orange": 20, "yellow": 10, "blue": 0, None: 5}  # red-tier children first
TIER_TEXT = {"red": "red tier: most urgent, comes first", "orange": "orange tier: urgent",
             "yellow": "yellow tier", "blue": "blue tier: least urgent", None: "care tier not yet assessed"}
EXCLUDING_END = "mismatch"  # an earlier pair that ended so is not offered again

# Specialties are the volunteers' own words (English or Chinese): a need is met when one of them
# contains one of these fragments.
NEED_SPECIALTIES: dict[str, tuple[str, ...]] = {
    NeedKind.family_affection: ("companion", "family", "parent", "陪伴", "亲情", "家庭", "育儿"),
    NeedKind.psychological_counselling: ("psycholog", "counsel", "心理", "咨询", "社工", "social work"),
    NeedKind.calls_and_visits: ("visit", "phone", "social work", "家访", "探访", "社工"),
    NeedKind.reading_and_study_trips: ("reading", "tutor", "teach", "education", "study", "阅读", "辅导",
                                       "教师", "教育", "研学", "学习"),
    NeedKind.festivals_and_birthdays: ("art", "sport", "music", "cook", "bak", "dance", "文艺", "体育",
                                       "音乐", "烘焙", "手工", "舞蹈"),
    NeedKind.micro_wishes: ("donat", "fundrais", "business", "捐", "企业", "公益"),
    NeedKind.other: ("law", "legal", "medic", "health", "nurs", "法律", "医", "护理", "健康"),
}
NEED_BITS = {need: 1 << i for i, need in enumerate(NEED_SPECIALTIES)}


@dataclass(frozen=True)
class Reason:
    points: int
    text: str
    kind: str = ""  # which term it is (eligible, place, need, sex, capacity, tier, known_before)
    facts: tuple[tuple[str, object], ...] = ()  # what the text says, for a reader to word it in her language

    def as_dict(self) -> dict:
        return {"points": self.points, "reason": self.text, "kind": self.kind, "facts": dict(self.facts)}


def needs_met(needs: tuple[str, ...], specialties: tuple[str, ...]) -> dict[str, str]:
    """Each need met, with the specialty that meets it."""
    met = {}
    for need in needs:
        for specialty in specialties:
            if any(fragment in specialty.lower() for fragment in NEED_SPECIALTIES.get(need, ())):
                met[need] = specialty
                break
    return met


def excluded(past: PastPair | None) -> str | None:
    """Why this volunteer is not offered to this child at all, from their shared history."""
    if past is None:
        return None
    if past.status in ("active", "proposed"):
        return f"already {past.status} with this child in pair {past.pair_id}"
    if past.end_reason == EXCLUDING_END:
        return f"an earlier pair with this child ({past.pair_id}) ended as a mismatch"
    return None


def explain(child: ChildProfile, volunteer: VolunteerProfile, past: PastPair | None = None) -> list[Reason]:
    # Suggestions are also shown for a child who cannot be paired now: they must not say she may be.
    pairable = not child.blocked()
    child_side = "a child who may be paired" if pairable else "once the child may be paired"
    reasons = [Reason(ELIGIBLE, f"eligible: a trained volunteer with a free place, {child_side}", "eligible",
                      (("pairable", pairable),))]
    if child.region == volunteer.region:
        reasons.append(_place(SAME_COMMUNITY, "same community", child.region, "community"))
    elif child.region[:9] == volunteer.region[:9]:
        reasons.append(_place(SAME_STREET, "same street/town", child.region[:9], "street"))
    else:
        reasons.append(_place(0, "same district only", child.region[:6], "district"))
    for need, specialty in needs_met(child.needs, volunteer.specialties).items():
        reasons.append(Reason(NEED_MET, f"need '{need}' met by specialty '{specialty}'", "need",
                              (("need", str(need)), ("specialty", specialty))))
    if child.sex == volunteer.sex:
        reasons.append(Reason(SAME_SEX, f"same sex ({child.sex})", "sex", (("sex", child.sex),)))
    reasons.append(Reason(capacity_points(volunteer),
                          f"cares for {volunteer.load} of {volunteer.capacity} children"
                          + (f", {volunteer.proposed} more proposed" if volunteer.proposed else ""), "capacity",
                          (("load", volunteer.load), ("capacity", volunteer.capacity),
                           ("proposed", volunteer.proposed))))
    reasons.append(Reason(TIER_POINTS[child.tier], TIER_TEXT[child.tier], "tier", (("tier", child.tier),)))
    if past is not None and past.status == "ended":
        reasons.append(Reason(KNOWN_BEFORE, f"cared for this child before "
                                            f"(pair {past.pair_id} ended: {past.end_reason})", "known_before",
                              (("pair_id", past.pair_id), ("end_reason", past.end_reason))))
    return reasons


def _place(points: int, text: str, code: str, level: str) -> Reason:
    return Reason(points, f"{text} ({_name(code)})", "place", (("level", level), ("region", code)))


def capacity_points(volunteer: VolunteerProfile) -> int:
    return (FREE_CAPACITY * max(volunteer.free, 0)) // volunteer.capacity


def score_matrix(children: list[ChildProfile], volunteers: list[VolunteerProfile]) -> np.ndarray:
    """Every child × volunteer score as `explain` would sum it, leaving out shared history (the
    caller adds it for the few pairs that have any)."""
    c_region = np.array([int(c.region) for c in children], dtype=np.int64)
    v_region = np.array([int(v.region) for v in volunteers], dtype=np.int64)
    community = c_region[:, None] == v_region[None, :]
    street = (c_region[:, None] // 1000) == (v_region[None, :] // 1000)
    scores = np.full((len(children), len(volunteers)), ELIGIBLE, dtype=np.int64)
    scores += SAME_COMMUNITY * community + SAME_STREET * (street & ~community)
    scores += NEED_MET * _shared_needs(children, volunteers)
    c_sex = np.array([c.sex for c in children])
    v_sex = np.array([v.sex for v in volunteers])
    scores += SAME_SEX * (c_sex[:, None] == v_sex[None, :])
    scores += np.array([capacity_points(v) for v in volunteers], dtype=np.int64)[None, :]
    scores += np.array([TIER_POINTS[c.tier] for c in children], dtype=np.int64)[:, None]
    return scores


def _shared_needs(children: list[ChildProfile], volunteers: list[VolunteerProfile]) -> np.ndarray:
    wanted = np.array([sum(NEED_BITS.get(n, 0) for n in set(c.needs)) for c in children], dtype=np.int64)
    answered = np.array([sum(NEED_BITS[n] for n in needs_met(tuple(NEED_BITS), v.specialties))
                         for v in volunteers], dtype=np.int64)
    popcount = np.array([bin(i).count("1") for i in range(1 << len(NEED_BITS))], dtype=np.int64)
    return popcount[wanted[:, None] & answered[None, :]]


def _name(code: str) -> str:
    return region_name(parse_region(code))
