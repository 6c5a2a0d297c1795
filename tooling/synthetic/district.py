"""A synthetic district for benchmarks and tests of the matching engine (no personal data): children
and volunteers spread over the real communities of one district, with seeded randomness."""

from __future__ import annotations

import random

from contracts.intake.child_file import NeedKind
from contracts.regions import parse_region, subregions
from services.pairing.matching.profiles import ChildProfile, PastPair, Snapshot, VolunteerProfile

SPECIALTIES = ["tutoring", "psychology", "law", "arts", "sports", "reading", "medicine", "陪伴",
               "家访", "烘焙", "心理咨询", "公益"]
TIERS = ["red", "orange", "yellow", "blue", None]


def district_snapshot(children: int, volunteers: int, seed: int = 1, district: str = "440105") -> Snapshot:
    rng = random.Random(seed)
    places = [c.code for s in subregions(parse_region(district)) for c in subregions(s)]
    kids = tuple(_child(rng, i, places) for i in range(children))
    adults = tuple(_volunteer(rng, i, places) for i in range(volunteers))
    history = {}
    for child in rng.sample(kids, min(len(kids) // 50, len(kids))):  # a few children met volunteers before
        volunteer = rng.choice(adults)
        reason = rng.choice(["moved", "mismatch", "volunteer_withdrew"])
        history[(child.child_id, volunteer.volunteer_id)] = PastPair(f"p-old-{child.child_id}", "ended", reason)
    return Snapshot(parse_region(district).code, kids, adults, history)


def _child(rng: random.Random, i: int, places: list[str]) -> ChildProfile:
    age = rng.randint(3, 17)
    return ChildProfile(
        child_id=f"c{i:05d}", region=rng.choice(places), sex=rng.choice(["female", "male"]), age=age,
        tier=rng.choice(TIERS), needs=tuple(rng.sample(list(NeedKind), rng.randint(0, 3))),
        consent=age >= 14 or rng.random() < 0.9, exited=rng.random() < 0.01,
    )


def _volunteer(rng: random.Random, i: int, places: list[str]) -> VolunteerProfile:
    capacity = rng.choice([1, 1, 1, 2, 2, 3])
    return VolunteerProfile(
        volunteer_id=f"v{i:05d}", region=rng.choice(places), sex=rng.choice(["female"] * 4 + ["male"]),
        kind=rng.choice(["mother"] * 6 + ["father"] * 2 + ["family"]), capacity=capacity,
        load=rng.randint(0, capacity), specialties=tuple(rng.sample(SPECIALTIES, rng.randint(0, 3))),
        trained=rng.random() < 0.85, withdrawn=rng.random() < 0.03,
    )
