"""A child's and a volunteer's pairs are pairing's aggregates, their files intake's: two contexts, two
subjects, one person. On a real nats-server, forming a pair at the very moment the child exits or the
volunteer withdraws never leaves a pair with an exited child or a withdrawn volunteer: whichever is
appended second was decided on what the first changed, and is refused. So with a pair's care and the
pair, and with a child's care tier (activity's) and her file: no tier is set after she exited."""

from __future__ import annotations

import asyncio

from contracts.replies import ErrorCode
from services.intake.domain import child_state, volunteer_state
from services.pairing.members import child_pairs, volunteer_pairs
from tests.log.test_commands import CHILD, ok, send, trained_volunteers

ROUNDS = 12  # each round a new child and volunteer, both commands sent at once


class DecidedTogether:
    """Holds the appends of two commands until both have decided, then lets the one whose first
    event is of type `first` append first and the other once it is done (`first` None: both at
    once, into one group commit if the log would group them): both decide on the same log, so the
    second append meets what the first changed, whichever comes first (no luck in the timing
    needed). The real event log appends them; only their order of arrival is arranged."""

    def __init__(self, log, first: str | None) -> None:
        self.append_now, self.first, self.arrived = log.append, first, 0
        self.both, self.first_done = asyncio.Event(), asyncio.Event()

    async def append(self, events):
        self.arrived += 1
        if self.arrived == 2:
            self.both.set()
        await asyncio.wait_for(self.both.wait(), 10)
        if self.first is None:
            return await self.append_now(events)
        if events[0].envelope.event_type != self.first:
            await asyncio.wait_for(self.first_done.wait(), 10)
            return await self.append_now(events)
        try:
            return await self.append_now(events)
        finally:
            self.first_done.set()


async def at_once(deps, monkeypatch, first: tuple, second: tuple, *, first_appended: str | None):
    """Two commands, each (name, fields), decided on the same log, the one whose first event is of
    type `first_appended` appended first; their replies."""
    monkeypatch.setattr(deps.log, "append", DecidedTogether(deps.log, first_appended).append)
    try:
        return await asyncio.gather(send(deps, first[0], **first[1]), send(deps, second[0], **second[1]))
    finally:
        monkeypatch.undo()


async def pairable_child(deps, number: int) -> str:
    child = {key: value for key, value in CHILD.items() if key != "id_number"}
    child_id = (await ok(deps, "register_child", **{**child, "name": f"李小花{number}"}))["child_id"]
    await ok(deps, "record_consent", child_id=child_id, relation="grandparent", given_by="李大山",
             scopes=["pairing", "data_sharing"], given_on="2026-05-01")
    return child_id


async def events(event_log, aggregate_type: str, aggregate_id: str):
    return [e.event for e in (await event_log.load(aggregate_type, aggregate_id)).events]


def one_through(first, second) -> None:
    assert first.ok != second.ok, (first, second)
    refused = second if first.ok else first
    assert refused.error.code in {ErrorCode.conflict, ErrorCode.rule_violated}, refused.error


def exit_of(child_id: str) -> tuple:
    return "exit_child", {"child_id": child_id, "reason": "parents_returned", "exited_on": "2026-05-01"}


def pairing_of(child_id: str, volunteer_id: str) -> tuple:
    return "form_pair", {"child_ids": [child_id], "volunteer_ids": [volunteer_id]}


async def test_a_pair_is_never_formed_with_a_child_exiting_at_the_same_moment(deps, event_log, monkeypatch) -> None:
    winners = []
    for number in range(ROUNDS):
        child_id = await pairable_child(deps, number)
        [volunteer_id] = await trained_volunteers(deps)
        # Decided on the same log, each appended first in turn, or both at the same moment.
        formed, exited = await at_once(deps, monkeypatch, pairing_of(child_id, volunteer_id), exit_of(child_id),
                                       first_appended=("PairFormed", "ChildExited", None)[number % 3])
        one_through(formed, exited)
        winners.append("formed" if formed.ok else "exited" if number % 3 < 2 else "either")
        child = child_state(await events(event_log, "child", child_id))
        pairs = child_pairs(await events(event_log, "pairing_child", child_id))
        assert (child.exited is not None, bool(pairs.active_pairs)) == (exited.ok, formed.ok)
    assert winners == ["formed", "exited", "either"] * (ROUNDS // 3)  # the first appended wins


async def test_a_pair_is_never_formed_with_a_volunteer_withdrawing_at_the_same_moment(deps, event_log,
                                                                                         monkeypatch) -> None:
    winners = []
    for number in range(ROUNDS):
        child_id = await pairable_child(deps, number)
        [volunteer_id] = await trained_volunteers(deps)
        withdrawal = ("withdraw_volunteer", {"volunteer_id": volunteer_id, "reason": "moved away"})
        formed, withdrawn = await at_once(deps, monkeypatch, pairing_of(child_id, volunteer_id), withdrawal,
                                          first_appended=("PairFormed", "VolunteerWithdrew")[number % 2])
        one_through(formed, withdrawn)
        winners.append("formed" if formed.ok else "withdrawn")
        volunteer = volunteer_state(await events(event_log, "volunteer", volunteer_id))
        pairs = volunteer_pairs(await events(event_log, "pairing_volunteer", volunteer_id))
        assert (volunteer.withdrawn, pairs.children_in_care) == (withdrawn.ok, int(formed.ok))
    assert winners == ["formed", "withdrawn"] * (ROUNDS // 2)


async def test_a_child_paired_first_does_not_exit_and_one_exited_first_is_not_paired(deps) -> None:
    # The same rules, one after the other: what the concurrent rounds above rely on being refused.
    child_id = await pairable_child(deps, 100)
    [volunteer_id] = await trained_volunteers(deps)
    await ok(deps, "form_pair", child_ids=[child_id], volunteer_ids=[volunteer_id])
    refused = await send(deps, "exit_child", child_id=child_id, reason="parents_returned", exited_on="2026-05-01")
    assert refused.error.code is ErrorCode.rule_violated and "still in pair" in refused.error.message
    other = await pairable_child(deps, 101)
    await ok(deps, "exit_child", child_id=other, reason="parents_returned", exited_on="2026-05-01")
    refused = await send(deps, "form_pair", child_ids=[other], volunteer_ids=[volunteer_id])
    assert refused.error.code is ErrorCode.rule_violated


async def test_no_care_is_logged_after_the_pair_ended_though_both_were_decided_at_once(deps, event_log,
                                                                                      monkeypatch) -> None:
    # A pair's care is activity's aggregate, the pair pairing's: a visit decided on a pair still
    # active is refused (and, decided again, refused for good) if the pair ended meanwhile.
    for number, first in enumerate(("PairEnded", "VisitLogged") * 3):
        child_id = await pairable_child(deps, 200 + number)
        [volunteer_id] = await trained_volunteers(deps)
        pair_id = (await ok(deps, *pairing_of(child_id, volunteer_id)[:1],
                            **pairing_of(child_id, volunteer_id)[1]))["pair_id"]
        visit = ("log_visit", {"pair_id": pair_id, "kind": "home_visit", "visited_on": "2026-06-01",
                               "duration_minutes": 30})
        ending = ("end_pair", {"pair_id": pair_id, "reason": "moved"})
        visited, ended = await at_once(deps, monkeypatch, visit, ending, first_appended=first)
        assert ended.ok and visited.ok == (first == "VisitLogged"), (visited, ended)
        if not visited.ok:
            assert visited.error.code is ErrorCode.rule_violated, visited.error
        told = [(e.seq, type(e.event).__name__) for aggregate in ("pair", "pair_care")
                for e in (await event_log.load(aggregate, pair_id)).events]
        assert [name for _, name in sorted(told)][-1] == "PairEnded"  # nothing logged after the end


async def test_no_activity_is_logged_at_a_station_after_it_closed_though_both_were_decided_at_once(
        deps, event_log, monkeypatch) -> None:
    # A station is intake's, its care activity's: as for a pair and its visits.
    child_id = await pairable_child(deps, 300)
    [volunteer_id] = await trained_volunteers(deps)
    for number, first in enumerate(("StationClosed", "StationActivityLogged") * 2):
        station_id = f"s{number}"
        await ok(deps, "open_station", opened_on="2025-09-01", station_id=station_id, region="440105001101", name="驿站",
                 opening_days=["sat", "sun"])
        held = ("log_collective_activity", {"station_id": station_id, "kind": "holiday_activity",
                                            "held_on": "2026-05-30", "duration_minutes": 60,
                                            "child_ids": [child_id], "volunteer_ids": [volunteer_id], "attendance": 20})
        closing = ("close_station", {"station_id": station_id, "reason": "搬迁"})
        logged, closed = await at_once(deps, monkeypatch, held, closing, first_appended=first)
        assert closed.ok and logged.ok == (first == "StationActivityLogged"), (logged, closed)
        told = [(e.seq, type(e.event).__name__) for aggregate in ("station", "station_care")
                for e in (await event_log.load(aggregate, station_id)).events]
        assert [name for _, name in sorted(told)][-1] == "StationClosed"


async def tier_and_file(event_log, child_id: str) -> list[str]:
    """The events of the child's file and of her care tier, in log order."""
    told = [(e.seq, e.envelope.event_type) for aggregate in ("child", "child_care")
            for e in (await event_log.load(aggregate, child_id)).events]
    return [name for _, name in sorted(told)]


async def test_no_tier_is_set_on_a_child_exiting_at_the_same_moment(deps, event_log, monkeypatch) -> None:
    # Her tier is activity's aggregate, her file intake's: an assessment decided on a child still on
    # file is refused (decided again, as she left) if she exited meanwhile, and an exit decided
    # before the assessment was appended is refused as a conflict.
    winners = []
    for number in range(ROUNDS):
        child_id = await pairable_child(deps, 300 + number)
        tier = ("assess_risk", {"child_id": child_id, "tier": "red", "reason": "独自在家"})
        assessed, exited = await at_once(deps, monkeypatch, tier, exit_of(child_id),
                                         first_appended=("ChildRiskAssessed", "ChildExited", None)[number % 3])
        one_through(assessed, exited)
        winners.append(("assessed" if assessed.ok else "exited") if number % 3 < 2 else "either")
        if exited.ok:
            assert "left the programme" in assessed.error.message, assessed.error
        told = await tier_and_file(event_log, child_id)
        assert (told[-1], told.count("ChildRiskAssessed")) == (
            ("ChildExited", 0) if exited.ok else ("ChildRiskAssessed", 1)), told
    assert winners == ["assessed", "exited", "either"] * (ROUNDS // 3)  # the first appended wins


async def test_no_concern_moves_the_tier_of_a_child_exiting_at_the_same_moment(deps, event_log,
                                                                                monkeypatch) -> None:
    # A concern's step that sets a tier appends it with the step, checked against her file as well.
    for number, first in enumerate(("ConcernRaised", "ChildExited") * 2):
        child_id = await pairable_child(deps, 400 + number)
        concern = ("raise_concern", {"child_id": child_id, "kind": "safety", "raised_on": "2026-05-01",
                                     "note": "晚上独自在家", "tier": "orange"})
        raised, exited = await at_once(deps, monkeypatch, concern, exit_of(child_id), first_appended=first)
        one_through(raised, exited)
        assert raised.ok == (first == "ConcernRaised"), (raised, exited)
        told = await tier_and_file(event_log, child_id)
        assert told[-1] == ("ChildRiskAssessed" if raised.ok else "ChildExited"), told
