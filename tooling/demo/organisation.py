"""The demo's teams, stations, donors and funds, with the past they had: each district's team formed
at the programme's start, a station opened during 2025 (its activities from then on, the summer
holiday's of 2025 among them, while the pairs' care is of 2026), a fund opened in 2025 receiving
money only after it opened, and gift packs paid from it only once its first donation was in (and
only for children on file that day). Its own random stream, so adding it changed nothing else the
demo does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from contracts.activity.care import ActivityKind, LogCollectiveActivity
from contracts.activity.giving import DeliverGiftPack, DonorKind, OpenFund, ReceiveDonation, RegisterDonor
from contracts.intake.volunteers import FormTeam, JoinTeam, OpenStation, Weekday

LAST_DAY = date(2026, 5, 31)  # the demo's care of pairs is of 2026 (tooling.demo.care)
SUMMER_2025 = (date(2025, 7, 1), date(2025, 8, 31))
SATURDAY_SUNDAY = [Weekday.sat, Weekday.sun]
ADULT_BY_THE_END = date(2008, 6, 1)  # born before: 18 by the end, too old for a gift pack


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(max((last - first).days, 0) + 1))


class Organisation:
    """What each district of the demo's children opens, and then what happens there."""

    def __init__(self, demo, children: list[dict], start: date) -> None:
        self.demo, self.start, self.rng = demo, start, random.Random(f"organisation-{demo.seed}")
        self.children: dict[str, list[dict]] = {}
        for child in children:
            self.children.setdefault(child["command"].region[:6], []).append(child)
        self.districts = sorted(self.children)

    def openings(self) -> list[tuple[str, str, object]]:
        jobs = []
        for k, district in enumerate(self.districts):
            actor, village = self.demo.operator(district), self.children[district][0]["command"].region
            cid = self.demo.cid
            jobs += [
                ("intake", "form_team", FormTeam(command_id=cid("team", k), actor=actor, region=district,
                                                 name="爱心妈妈志愿服务队", formed_on=self.start)),
                ("intake", "open_station", OpenStation(
                    command_id=cid("station", k), actor=actor, region=village, name="爱心妈妈驿站",
                    opening_days=SATURDAY_SUNDAY, opened_on=_between(self.rng, date(2025, 1, 1), date(2025, 7, 31)))),
                ("activity", "register_donor", RegisterDonor(command_id=cid("donor", k), actor=actor, region=district,
                                                             name="爱心企业", registered_on=self.start)),
                ("activity", "open_fund", OpenFund(command_id=cid("fund", k), actor=actor, region=district,
                                                   name="关爱儿童基金",
                                                   opened_on=_between(self.rng, date(2025, 1, 1), date(2025, 6, 30)))),
            ]
        return jobs

    def members(self, opened: list[dict], volunteers: list[dict]) -> list[tuple[str, str, object]]:
        """Seven in ten of each district's volunteers join its team, within a month of being recruited."""
        teams = {district: found["FormTeam"] for _, district, found in self._opened(opened)}
        jobs = []
        for n, volunteer in enumerate(volunteers):
            team = teams.get(volunteer["command"].region[:6])
            if team is None or self.rng.random() >= 0.7:
                continue
            recruited_on = volunteer["command"].recruited_on
            jobs.append(("intake", "join_team", JoinTeam(
                command_id=self.demo.cid("member", n), actor=team["command"].actor,
                volunteer_id=volunteer["volunteer_id"], team_id=team["team_id"],
                joined_on=_between(self.rng, recruited_on, min(recruited_on + timedelta(days=30), date.today())))))
        return jobs

    def _opened(self, opened: list[dict]):
        """(index, district, what it opened by command name) of every district that opened all four
        (`opened`: the results of `openings`); a refusal the demo counts leaves its district out."""
        for k, district in enumerate(self.districts):
            found = {type(r["command"]).__name__: r for r in opened if r["command"].region[:6] == district}
            if len(found) == 4:
                yield k, district, found

    def happenings(self, opened: list[dict]) -> list[tuple[str, str, object]]:
        """Station activities and donations, each after what it follows."""
        self.first_donations: dict[str, date] = {}
        jobs = []
        for k, district, found in self._opened(opened):
            jobs += self._station(k, found["OpenStation"])
            jobs += self._donations(k, found["OpenFund"], found["RegisterDonor"])
        return jobs

    def gift_packs(self, opened: list[dict]) -> list[tuple[str, str, object]]:
        """Packs paid from each district's fund, once its first donation is in (after `happenings`),
        to children on file that day."""
        jobs = []
        for k, district, found in self._opened(opened):
            fund, team = found["OpenFund"], found["FormTeam"]
            first = self.first_donations[fund["fund_id"]]
            young = [c for c in self.children[district] if c["command"].birth_date > ADULT_BY_THE_END]
            for n, child in enumerate(young[:6]):
                since = max(first, child["command"].registered_on or first)
                jobs.append(("activity", "deliver_gift_pack", DeliverGiftPack(
                    command_id=self.demo.cid(f"fund{k}-pack", n), actor=fund["command"].actor,
                    child_id=child["child_id"], delivered_on=_between(self.rng, since, LAST_DAY),
                    team_id=team["team_id"], fund_id=fund["fund_id"], amount_yuan=100)))
        return jobs

    def _station(self, k: int, station: dict) -> list[tuple[str, str, object]]:
        """Activities from its opening on, and the summer holiday's (暑假) of 2025 at every station
        open by then: the summer the reports count, with its attendance as given."""
        opened_on = station["command"].opened_on
        held = [(ActivityKind.station_activity, _between(self.rng, opened_on, LAST_DAY))
                for _ in range(self.rng.randint(3, 8))]
        summer_from = max(opened_on, SUMMER_2025[0])
        if summer_from <= SUMMER_2025[1]:
            held += [(ActivityKind.holiday_activity, _between(self.rng, summer_from, SUMMER_2025[1]))
                     for _ in range(self.rng.randint(1, 3))]
        return [("activity", "log_collective_activity", LogCollectiveActivity(
            command_id=self.demo.cid(f"station{k}-activity", n), actor=station["command"].actor,
            station_id=station["station_id"], kind=kind, held_on=day, duration_minutes=120,
            attendance=self.rng.choice([20, 40, 80, 160]))) for n, (kind, day) in enumerate(held)]

    def _donations(self, k: int, fund: dict, donor: dict) -> list[tuple[str, str, object]]:
        opened_on = fund["command"].opened_on
        first = self.first_donations[fund["fund_id"]] = _between(self.rng, opened_on, opened_on + timedelta(days=30))
        days = [first] + [_between(self.rng, first, LAST_DAY) for _ in range(self.rng.randint(1, 4))]
        return [("activity", "receive_donation", ReceiveDonation(
            command_id=self.demo.cid(f"fund{k}-donation", n), actor=fund["command"].actor, fund_id=fund["fund_id"],
            donor_kind=DonorKind.enterprise, donor_id=donor["donor_id"],
            amount_yuan=20_000 if n == 0 else self.rng.choice([1_000, 5_000, 10_000]), received_on=day))
            for n, day in enumerate(days)]
