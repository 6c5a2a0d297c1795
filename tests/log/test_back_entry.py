"""Two years of a programme entered after the fact, in a shuffled order, on a real nats-server: every
command carries the day its fact happened (registered, recruited, formed, opened, received,
delivered, ended, exited…), and the figures as of every day obey the obvious laws.

The programme is planned first, as it happened (a seeded random past over two years); its commands
are then sent in a random order that only keeps what the log itself requires (a child on file before
her pair, a pair before its visits, a pair's visits before its end, …). Every command must be
accepted; then, as of every 7th day and every month's end, the figures equal what the plan says was
so that day, and no active pair lacks its child or volunteer, no fund holds money before it opened,
no stock is below zero, no more children are paired than are on file, and no more wishes fulfilled
than submitted."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from contracts.regions import parse_region
from services.projections.figures.ledger import FigureLedger
from services.activity.care.cadence import profile_for
from services.projections.figures.queries import figures_as_of, series
from services.projections.work_queues import WorkQueues, overdue_contacts
from services.shared.db import make_engine
from services.shared.follower.projector import Projector
from services.shared.unit_of_work import Deps
from tests.log.care_cases import FakeClock, ok
from tests.log.projection_cases import catch_up, running

TODAY = date(2026, 11, 30)
START = date(2024, 12, 1)  # two years of the programme
DISTRICT, V1, V2 = "440105", "440105001101", "440105001102"
STOCKS = ("children", "children_paired", "volunteers", "active_pairs", "funds", "fund_balance_fen", "stations_open",
          "teams", "donors", "wishes_open")


@dataclass
class Step:
    """One command of the plan: `after`, the keys of the steps the log needs entered before it."""

    key: str
    command: str
    fields: dict
    after: set[str] = field(default_factory=set)


def between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(max((last - first).days, 0) + 1))


@dataclass
class Plan:
    """The programme as it happened, and the steps that enter it."""

    rng: random.Random
    steps: list[Step] = field(default_factory=list)
    children: dict[str, dict] = field(default_factory=dict)  # id -> {registered, exited}
    volunteers: dict[str, dict] = field(default_factory=dict)  # id -> {recruited, withdrawn}
    pairs: dict[str, dict] = field(default_factory=dict)  # id -> {child, volunteer, formed, ended}
    funds: dict[str, dict] = field(default_factory=dict)  # id -> {opened, region, in: [(day, fen)], out: […]}
    stations: dict[str, dict] = field(default_factory=dict)  # id -> {opened, closed}
    activities: list[date] = field(default_factory=list)  # visits and station activities
    wishes: list[tuple[date, date]] = field(default_factory=list)  # (submitted, fulfilled)

    def add(self, key: str, command: str, after: set[str] = frozenset(), **fields) -> Step:
        step = Step(key, command, fields, set(after))
        self.steps.append(step)
        return step

    def by_key(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)


def plan_programme(seed: int) -> Plan:
    plan = Plan(random.Random(seed))
    rng = plan.rng
    plan.add("team", "form_team", team_id="t1", region=DISTRICT, name="海珠区爱心妈妈服务队", formed_on=START)
    plan.add("donor", "register_donor", donor_id="d1", region=DISTRICT, name="某爱心企业", registered_on=START)
    _people(plan, rng)
    _pairs(plan, rng)
    _funds(plan, rng)
    _stations(plan, rng)
    _wishes(plan, rng)
    _endings(plan, rng)
    return plan


def _people(plan: Plan, rng: random.Random) -> None:
    for i in range(24):
        child_id, region = f"c{i}", (V1, V2)[i % 2]
        registered = between(rng, START, TODAY - timedelta(days=60))
        plan.children[child_id] = {"registered": registered, "exited": None, "region": region, "moved": None}
        plan.add(child_id, "register_child", child_id=child_id, region=region, name=f"李小{i}", sex="female",
                 birth_date=date(2014 + i % 4, 1 + i % 12, 10), category="left_behind", registered_on=registered)
        plan.add(f"consent-{child_id}", "record_consent", {child_id}, child_id=child_id, relation="grandparent",
                 given_by="李大山", scopes=["pairing"], given_on=registered)
    for i in range(10):
        volunteer_id = f"v{i}"
        recruited = between(rng, START, TODAY - timedelta(days=90))
        plan.volunteers[volunteer_id] = {"recruited": recruited, "withdrawn": None, "pairs": []}
        plan.add(volunteer_id, "recruit_volunteer", volunteer_id=volunteer_id, region=(V1, V2)[i % 2],
                 name=f"王芳{i}", sex="female", kind="mother", capacity=3, recruited_on=recruited)
        plan.add(f"trained-{volunteer_id}", "record_training", {volunteer_id}, topic="minors_protection_law",
                 held_on=recruited, volunteer_ids=[volunteer_id])
    for i in (0, 2, 4, 6):  # children moving from the first village to the second, a while after registering
        child = plan.children[f"c{i}"]
        child["moved"] = between(rng, child["registered"], min(child["registered"] + timedelta(days=120),
                                                              TODAY - timedelta(days=30)))
        plan.add(f"move-c{i}", "transfer_child", {f"c{i}"}, child_id=f"c{i}", to_region=V2,
                 transferred_on=child["moved"])


def _pairs(plan: Plan, rng: random.Random) -> None:
    for i, (child_id, child) in enumerate(plan.children.items()):
        if i % 4 == 3:
            continue  # a quarter of the children stay without a pair
        volunteer_id = f"v{i % 10}"
        volunteer = plan.volunteers[volunteer_id]
        since = max(child["moved"] or child["registered"], volunteer["recruited"])
        formed = between(rng, since, min(since + timedelta(days=90), TODAY - timedelta(days=20)))
        ended = between(rng, formed + timedelta(days=10), TODAY) if rng.random() < 0.35 else None
        pair_id = f"p{i}"
        plan.pairs[pair_id] = {"child": child_id, "volunteer": volunteer_id, "formed": formed, "ended": ended}
        volunteer["pairs"].append(pair_id)
        plan.add(pair_id, "form_pair", {child_id, f"consent-{child_id}", volunteer_id, f"trained-{volunteer_id}"},
                 pair_id=pair_id, child_ids=[child_id], volunteer_ids=[volunteer_id], formed_on=formed)
        for k in range(rng.randint(1, 4)):
            visited = between(rng, formed, ended or TODAY)
            plan.activities.append(visited)
            plan.add(f"visit-{pair_id}-{k}", "log_visit", {pair_id}, pair_id=pair_id, kind="home_visit",
                     visited_on=visited, duration_minutes=60)
        if ended:  # after all its visits: a visit to an ended pair is refused
            visits = {s.key for s in plan.steps if s.key.startswith(f"visit-{pair_id}-")}
            plan.add(f"end-{pair_id}", "end_pair", {pair_id, *visits}, pair_id=pair_id, reason="moved",
                     ended_on=ended)


def _funds(plan: Plan, rng: random.Random) -> None:
    packs = [c for c, child in plan.children.items() if not child["moved"]]
    for n, region in enumerate((DISTRICT, V1)):
        fund_id = f"f{n}"
        opened = between(rng, START, START + timedelta(days=300))
        first = between(rng, opened, opened + timedelta(days=30))
        fund = plan.funds[fund_id] = {"opened": opened, "region": region, "in": [(first, 500_000)], "out": []}
        plan.add(fund_id, "open_fund", fund_id=fund_id, region=region, name=f"爱心基金{n}", opened_on=opened)
        plan.add(f"{fund_id}-first", "receive_donation", {fund_id, "donor"}, fund_id=fund_id,
                 donor_kind="enterprise", donor_id="d1", amount_yuan="5000", received_on=first)
        for k in range(3):
            received = between(rng, first, TODAY)
            fund["in"].append((received, 100_000))
            plan.add(f"{fund_id}-gift-{k}", "receive_donation", {fund_id, "donor"}, fund_id=fund_id,
                     donor_kind="enterprise", donor_id="d1", amount_yuan="1000", received_on=received)
        for k, child_id in enumerate(c for c in packs if region == DISTRICT or plan.children[c]["region"] == V1):
            if k >= 6:
                break
            delivered = between(rng, max(first, plan.children[child_id]["registered"]), TODAY)
            fund["out"].append((delivered, 10_000))
            plan.add(f"pack-{fund_id}-{child_id}", "deliver_gift_pack", {child_id, "team", f"{fund_id}-first"},
                     gift_pack_id=f"g-{fund_id}-{child_id}", child_id=child_id, delivered_on=delivered, team_id="t1",
                     fund_id=fund_id, amount_yuan="100")


def _stations(plan: Plan, rng: random.Random) -> None:
    for n, region in enumerate((V1, V2)):
        station_id = f"s{n}"
        opened = between(rng, START, START + timedelta(days=400))
        closed = between(rng, opened + timedelta(days=100), TODAY) if n == 0 else None
        plan.stations[station_id] = {"opened": opened, "closed": closed}
        plan.add(station_id, "open_station", station_id=station_id, region=region, name=f"驿站{n}",
                 opening_days=["sat", "sun"], opened_on=opened)
        held = []
        for k in range(5):
            day = between(rng, opened, closed or TODAY)
            plan.activities.append(day)
            held.append(plan.add(f"{station_id}-act-{k}", "log_collective_activity", {station_id},
                                 station_id=station_id, kind="station_activity", held_on=day,
                                 duration_minutes=120, attendance=30).key)
        if closed:
            plan.add(f"close-{station_id}", "close_station", {station_id, *held}, station_id=station_id,
                     reason="venue lost", closed_on=closed)


def _wishes(plan: Plan, rng: random.Random) -> None:
    """A wish for some children who never moved: submitted, approved and fulfilled, one after the other."""
    for i, (child_id, child) in enumerate(plan.children.items()):
        if i % 3 != 1 or child["moved"]:
            continue
        submitted = between(rng, child["registered"], TODAY - timedelta(days=10))
        approved = between(rng, submitted, submitted + timedelta(days=5))
        fulfilled = between(rng, approved, TODAY)
        plan.wishes.append((submitted, fulfilled))
        wish_id = f"w-{child_id}"
        plan.add(wish_id, "submit_wish", {child_id}, wish_id=wish_id, child_id=child_id, item="书包",
                 estimated_cost_yuan=80, submitted_on=submitted)
        plan.add(f"approve-{wish_id}", "approve_wish", {wish_id}, wish_id=wish_id, approved_on=approved)
        plan.add(f"fulfil-{wish_id}", "fulfil_wish", {f"approve-{wish_id}"}, wish_id=wish_id, fulfilled_on=fulfilled)


def _endings(plan: Plan, rng: random.Random) -> None:
    """Children whose pair ended (or who had none) leave; a volunteer whose pairs all ended withdraws."""
    for i, (child_id, child) in enumerate(plan.children.items()):
        pair = next((p for p, pair in plan.pairs.items() if pair["child"] == child_id), None)
        if i % 3 or (pair and not plan.pairs[pair]["ended"]):
            continue
        last = max(d for d in (child["registered"], child["moved"], pair and plan.pairs[pair]["ended"]) if d)
        packs = {s.key for s in plan.steps if s.key.startswith("pack-") and s.key.endswith(f"-{child_id}")}
        last = max([last, *(plan.by_key(k).fields["delivered_on"] for k in packs)])
        if last >= TODAY:
            continue
        child["exited"] = between(rng, last, TODAY)
        visits = {s.key for s in plan.steps if pair and s.key.startswith(f"visit-{pair}-")}
        needs = {child_id, f"consent-{child_id}", *packs, *visits, *({f"end-{pair}"} if pair else ()),
                 *({f"move-{child_id}"} if child["moved"] else ())}
        plan.add(f"exit-{child_id}", "exit_child", needs, child_id=child_id, reason="parents_returned",
                 exited_on=child["exited"])
    for volunteer_id, volunteer in plan.volunteers.items():
        ends = [plan.pairs[p]["ended"] for p in volunteer["pairs"]]
        if not ends or not all(ends) or max(ends) >= TODAY:
            continue
        volunteer["withdrawn"] = between(rng, max(ends), TODAY)
        plan.add(f"withdraw-{volunteer_id}", "withdraw_volunteer",
                 {volunteer_id, f"trained-{volunteer_id}", *(f"end-{p}" for p in volunteer["pairs"])},
                 volunteer_id=volunteer_id,
                 reason="moved away", withdrawn_on=volunteer["withdrawn"])


def shuffled(plan: Plan) -> list[Step]:
    """The steps in a random order that keeps only what the log requires (`Step.after`)."""
    pending, done, order = list(plan.steps), set(), []
    plan.rng.shuffle(pending)
    while pending:
        ready = [s for s in pending if s.after <= done]
        assert ready, [s.key for s in pending]
        step = plan.rng.choice(ready)
        pending.remove(step)
        done.add(step.key)
        order.append(step)
    return order


def on_file(since: date, until: date | None, day: date) -> bool:
    return since <= day and (until is None or day < until)


def truth(plan: Plan, day: date) -> dict[str, int]:
    """What the plan says was so at the end of `day`, for the district."""
    pairs = [p for p in plan.pairs.values() if on_file(p["formed"], p["ended"], day)]
    funds = [f for f in plan.funds.values() if f["opened"] <= day]
    raised = sum(fen for f in funds for d, fen in f["in"] if d <= day)
    allocated = sum(fen for f in funds for d, fen in f["out"] if d <= day)
    return {
        "children": sum(on_file(c["registered"], c["exited"], day) for c in plan.children.values()),
        "volunteers": sum(on_file(v["recruited"], v["withdrawn"], day) for v in plan.volunteers.values()),
        "active_pairs": len(pairs), "children_paired": len({p["child"] for p in pairs}),
        "funds": len(funds), "funds_raised_fen": raised, "fund_balance_fen": raised - allocated,
        "stations_open": sum(on_file(s["opened"], s["closed"], day) for s in plan.stations.values()),
        "activities": sum(d <= day for d in plan.activities),
        "wishes_submitted": sum(s <= day for s, _ in plan.wishes),
        "wishes_fulfilled": sum(f <= day for _, f in plan.wishes),
        "teams": int(START <= day), "donors": int(START <= day),
    }


def expected_overdue(plan: Plan, patience) -> dict[str, int]:
    """Days overdue today of each active pair: from its last visit, else from the day it was formed."""
    found = {}
    for pair_id, pair in plan.pairs.items():
        if pair["ended"]:
            continue
        visits = [s.fields["visited_on"] for s in plan.steps if s.key.startswith(f"visit-{pair_id}-")]
        since = max([pair["formed"], *visits])
        due = since + timedelta(days=patience(DISTRICT))  # both villages follow their district's cadence
        if TODAY >= due:
            found[pair_id] = (TODAY - due).days
    return found


def days_to_check() -> list[date]:
    days = {START - timedelta(days=1) + timedelta(days=7 * k) for k in range((TODAY - START).days // 7 + 1)}
    month_ends = {date(y, m, 1) - timedelta(days=1) for y in (2025, 2026) for m in range(1, 13)}
    return sorted(d for d in days | month_ends | {TODAY} if START - timedelta(days=1) <= d <= TODAY)


async def test_two_years_entered_in_any_order_give_figures_that_could_have_been(event_log, keys, tmp_path,
                                                                              nats_server) -> None:
    plan = plan_programme(seed=29)
    for pair in plan.pairs.values():  # the plan itself is a possible past
        child, volunteer = plan.children[pair["child"]], plan.volunteers[pair["volunteer"]]
        assert child["registered"] <= pair["formed"] and volunteer["recruited"] <= pair["formed"]
        assert child["exited"] is None or (pair["ended"] and pair["ended"] <= child["exited"])
    deps = Deps(log=event_log, keys=keys, clock=FakeClock(TODAY))
    for step in shuffled(plan):
        await ok(deps, step.command, **step.fields)

    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, db, [FigureLedger(), WorkQueues()])
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    async with db.connect() as conn:
        for day in days_to_check():
            district = await figures_as_of(conn, parse_region(DISTRICT), day)
            expected = truth(plan, day)
            assert {name: district[name] for name in expected} == expected, day
            for code in ("CN", DISTRICT, V1, V2):
                figures = district if code == DISTRICT else await figures_as_of(conn, parse_region(code), day)
                assert all(figures[name] >= 0 for name in STOCKS), (code, day)
                assert figures["children_paired"] <= figures["children"], (code, day)
                assert figures["wishes_fulfilled"] <= figures["wishes_submitted"], (code, day)
                if figures["funds"] == 0:
                    assert figures["funds_raised_fen"] == 0, (code, day)  # no money into a fund not yet open
            village_fund = plan.funds["f1"]  # the village's own fund, apart from the district's
            village = await figures_as_of(conn, parse_region(V1), day)
            assert (village["funds"], village["funds_raised_fen"] > 0) == (
                int(village_fund["opened"] <= day), village_fund["in"][0][0] <= day), day
        # The overdue contacts count from the pair's last visit, else the day it was formed: never from
        # the day it was entered.
        patience = lambda code: profile_for(code).contact_overdue_days  # noqa: E731
        overdue = {p["pair_id"]: p["days_overdue"] for p in await overdue_contacts(conn, parse_region(DISTRICT), TODAY,
                                                                                      patience)}
        assert overdue == expected_overdue(plan, patience) and overdue
        # Month by month, the stocks at each month's end are those as of that day.
        for year in (2025, 2026):
            for month in await series(conn, parse_region(DISTRICT), year, TODAY):
                y, m = map(int, month["month"].split("-"))
                end = min(date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1), TODAY)
                expected = {name: value for name, value in truth(plan, end).items() if name in STOCKS}
                assert {name: month[name] for name in expected} == expected, end
    await db.dispose()
