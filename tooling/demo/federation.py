"""`aixin demo`: a plausible federation, filled through the real command path.

Children, volunteers, pairs, visits and wishes spread over the places in the programme's reports,
with a consistent past over the programme's two years: volunteers recruited and children registered
on days through 2025, before their training, consent and pairs (formed at the start of 2026), so
that the figures as of any day hold together.
Command ids are derived from the seed, so running the same demo again (after a crash, say) adds
nothing twice: every command is recognised as a retry. Each command's actor names the district
office that sends it (over HTTP, `tooling.demo.accounts`, as that office's caseworker).
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Protocol

from rich.progress import Progress

from contracts.activity.wishes import FulfilWish, SubmitWish, WishCategory
from contracts.activity.care import LogVisit, VisitKind
from contracts.intake.child_file import ConsentScope, RecordConsent
from contracts.envelope import Actor
from contracts.intake.registration import (ChildCategory, ChildSubtype, Guardian, GuardianRelation,
                                           RecruitVolunteer, RegisterChild, Sex, VolunteerKind, VolunteerType)
from contracts.pairing.pairs import FormPair, PairMode
from contracts.regions.report_places import report_communities
from contracts.replies import Reply
from contracts.intake.volunteers import RecordTraining, TrainingTopic
from tooling.common import IN_FLIGHT
from tooling.demo.accounts import caseworker
from tooling.demo.care import care_activities
from tooling.demo.organisation import Organisation

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "小明 小红 欣怡 子涵 浩然 梓萱 宇轩 雨桐 俊杰 思琪 一诺 佳怡 子墨 诗涵 博文 梦瑶".split()
SPECIALTIES = ["tutoring", "psychology", "law", "arts", "sports", "reading", "medicine"]
WISHES = [("书包", WishCategory.study, 80), ("自行车", WishCategory.daily_life, 400),
          ("篮球", WishCategory.sports, 120), ("画笔套装", WishCategory.arts, 60), ("词典", WishCategory.study, 50)]
CARE_YEAR = date(2026, 1, 1)  # the pairs' forming day: the care the demo logs is of 2026
PROGRAMME_START = date(2024, 12, 1)  # the first registrations and recruitments
RECRUITED_BY = date(2025, 11, 30)  # the last volunteer recruited, before the training of December 1
REGISTERED_BY = date(2025, 12, 14)  # the last child registered, before the consents of December 15
ADULT_SOON = date(2012, 1, 1)  # born before: 14 or older, pairable without the guardian's consent
CONFLICT_RETRIES = 10


class Sender(Protocol):
    async def send(self, context: str, name: str, command) -> Reply: ...


class Demo:
    def __init__(self, client: Sender, children: int, seed: int, progress: Progress) -> None:
        self.client, self.n, self.seed, self.progress = client, children, seed, progress
        self.rng = random.Random(seed)
        self.places = list(report_communities())
        self.refused: dict[str, int] = defaultdict(int)

    def operator(self, region_code: str) -> Actor:
        return caseworker(region_code[:6])

    def cid(self, kind: str, index: int) -> str:
        return f"demo-{self.seed}-{kind}-{index}"

    async def run(self) -> dict[str, int]:
        volunteers = await self.stage("volunteers", [self.volunteer(i) for i in range(int(self.n * 0.8))])
        trainings = await self.stage("trainings", self.trainings(volunteers))
        trained = {v for t in trainings for v in t["command"].volunteer_ids}
        children = await self.stage("children", [self.child(i) for i in range(self.n)])
        consents = await self.stage("consents", self.consents(children))
        consented = {c["child_id"] for c in consents}
        # Teams, stations and funds open before the care is logged, and most volunteers join their
        # district's team, so that the hours they serve count to it (and its roster is not empty).
        organisation = Organisation(self, children, PROGRAMME_START)
        opened = await self.stage("teams, stations and funds", organisation.openings())
        await self.stage("team members", organisation.members(opened, volunteers))
        pairable = [c for c in children if c["child_id"] in consented or c["command"].birth_date < ADULT_SOON]
        pairs = await self.stage("pairs", self.pairs(pairable, [v for v in volunteers if v["volunteer_id"] in trained]))
        await self.stage("visits", self.visits(pairs))
        await self.stage("care activities", care_activities(self, pairs, children))
        wishes = await self.stage("wishes", self.wishes(children))
        await self.stage("fulfilled wishes", self.fulfilments(wishes))
        await self.stage("station activities and donations", organisation.happenings(opened))
        await self.stage("gift packs", organisation.gift_packs(opened))
        return dict(self.refused)

    async def stage(self, label: str, jobs: list[tuple[str, str, object]]) -> list[dict]:
        task = self.progress.add_task(label, total=len(jobs))
        results: list[dict | None] = [None] * len(jobs)
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(index: int, job) -> None:
            context, name, command = job
            async with gate:
                for attempt in range(CONFLICT_RETRIES):
                    # Another demo command touched the same volunteer: send the same command again,
                    # as an operator would; its id makes a retry safe.
                    reply = await self.client.send(context, name, command)
                    if reply.ok or reply.error.code != "conflict":
                        break
                    await asyncio.sleep(0.01 * (attempt + 1))
            if reply.ok:
                results[index] = {**reply.result, "command": command}
            else:
                self.refused[f"{name}: {reply.error.code}"] += 1
            self.progress.advance(task)

        await asyncio.gather(*(one(i, job) for i, job in enumerate(jobs)))
        return [r for r in results if r]

    def volunteer(self, i: int):
        place = self.rng.choice(self.places)
        kind = self.rng.choices(list(VolunteerKind), weights=[80, 10, 10])[0]
        return ("intake", "recruit_volunteer", RecruitVolunteer(
            command_id=self.cid("volunteer", i), actor=self.operator(place.code), region=place.code,
            name=self.rng.choice(SURNAMES) + ("妈妈" if kind is VolunteerKind.mother else "老师"),
            phone=f"13{self.rng.randrange(10**8, 10**9)}", kind=kind,
            sex=Sex.male if kind is VolunteerKind.father else Sex.female,
            volunteer_type=self.rng.choice(list(VolunteerType)),
            specialties=self.rng.sample(SPECIALTIES, 2), capacity=self.rng.choice([1, 1, 2, 3]),
            recruited_on=self.day_between(PROGRAMME_START, RECRUITED_BY)))

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def trainings(self, volunteers: list[dict]):
        """Most volunteers attend the Minors Protection Law session of their district; the rest
        stay in the reserve pool."""
        by_district = defaultdict(list)
        for v in volunteers:
            if self.rng.random() < 0.9:
                by_district[v["command"].region[:6]].append(v["volunteer_id"])
        return [("intake", "record_training", RecordTraining(
            command_id=self.cid(f"training-{district}", k), actor=self.operator(district),
            topic=TrainingTopic.minors_protection_law, held_on=date(2025, 12, 1),
            volunteer_ids=ids[k:k + 200])) for district, ids in sorted(by_district.items())
            for k in range(0, len(ids), 200)]

    def consents(self, children: list[dict]):
        return [("intake", "record_consent", RecordConsent(
            command_id=self.cid("consent", i), actor=child["command"].actor, child_id=child["child_id"],
            relation=GuardianRelation.grandparent, given_by=child["command"].guardian.name,
            scopes=[ConsentScope.pairing, ConsentScope.data_sharing], given_on=date(2025, 12, 15)))
            for i, child in enumerate(children) if self.rng.random() < 0.9]

    def child(self, i: int):
        place = self.rng.choice(self.places)
        category = self.rng.choices(list(ChildCategory), weights=[70, 30])[0]
        subtype = (self.rng.choice([ChildSubtype.both_parents_away, ChildSubtype.one_parent_away])
                   if category is ChildCategory.left_behind else self.rng.choice(list(ChildSubtype)[2:]))
        born = date(2026, 1, 1) - timedelta(days=self.rng.randrange(365 * 3, 365 * 17))
        registered_on = self.day_between(PROGRAMME_START, REGISTERED_BY)
        return ("intake", "register_child", RegisterChild(
            command_id=self.cid("child", i), actor=self.operator(place.code), region=place.code,
            name=self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
            sex=self.rng.choice(list(Sex)), birth_date=born, category=category, subtype=subtype,
            guardian=Guardian(relation=GuardianRelation.grandparent,
                              name=self.rng.choice(SURNAMES) + "奶奶", phone=f"139{self.rng.randrange(10**7, 10**8)}"),
            registered_on=registered_on))

    def pairs(self, children: list[dict], volunteers: list[dict]):
        free = defaultdict(list)  # district -> [volunteer id, remaining capacity]
        for v in volunteers:
            free[v["command"].region[:6]].append([v["volunteer_id"], v["command"].capacity])
        jobs = []
        for i, child in enumerate(children):
            district = child["command"].region[:6]
            candidates = [slot for slot in free[district] if slot[1] > 0]
            if self.rng.random() > 0.75 or not candidates:
                continue
            slot = self.rng.choice(candidates)
            slot[1] -= 1
            jobs.append(("pairing", "form_pair", FormPair(
                command_id=self.cid("pair", i), actor=self.operator(child["command"].region),
                mode=PairMode.one_to_one, child_ids=[child["child_id"]], volunteer_ids=[slot[0]],
                formed_on=CARE_YEAR)))  # its visits and activities are logged from then on
        return jobs

    def visits(self, pairs: list[dict]):
        """Round by round (every pair's first visit, then every pair's second, …), so that visits to
        one pair are not in flight at the same moment, as with real volunteers."""
        counts = [self.rng.randint(1, 5) for _ in pairs]
        jobs = []
        for k in range(max(counts, default=0)):
            for i, pair in enumerate(pairs):
                if k < counts[i]:
                    jobs.append(("activity", "log_visit", LogVisit(
                        command_id=self.cid(f"visit{k}", i), actor=pair["command"].actor,
                        pair_id=pair["pair_id"], kind=self.rng.choice(list(VisitKind)),
                        visited_on=date(2026, 1, 1) + timedelta(days=self.rng.randrange(300)),
                        duration_minutes=self.rng.choice([15, 30, 60, 120]))))
        return jobs

    def wishes(self, children: list[dict]):
        jobs = []
        for i, child in enumerate(children):
            if self.rng.random() < 0.4:
                item, category, cost = self.rng.choice(WISHES)
                jobs.append(("activity", "submit_wish", SubmitWish(
                    command_id=self.cid("wish", i), actor=child["command"].actor,
                    child_id=child["child_id"], item=item, category=category, estimated_cost_yuan=cost)))
        return jobs

    def fulfilments(self, wishes: list[dict]):
        return [("activity", "fulfil_wish", FulfilWish(
            command_id=self.cid("fulfil", i), actor=wish["command"].actor, wish_id=wish["wish_id"],
            donor="爱心企业")) for i, wish in enumerate(wishes) if self.rng.random() < 0.6]
