"""Ledger rules, pure, for children, volunteers and pairs: what each event adds to the figures.

A stock is stepped on the day the thing happened (a pair on its forming day, an exit on its exit
day), never before the facts it rests on: a child counts as paired from the later of the pair's
forming and its own registration, a pair (formed and active) from the later of its forming and its
children's registration — so that the pairs and the children paired move together month by month
when a pairing is recorded with a date before its children were on file — and a child's or volunteer's stocks leave no earlier than the
last day they changed, so no figure is ever below zero on any day.
"""

from __future__ import annotations

from datetime import date

from contracts.intake.child_file import (ChildExited, ChildPlaceCompleted, ChildTransferredIn,
                                         ChildTransferredOut)
from contracts.activity.concerns import ChildRiskAssessed, RiskTier
from contracts.intake.registration import ChildRegistered, VolunteerRecruited
from contracts.pairing.pairs import ChildJoinedPair, ChildLeftPair, PairEnded, PairFormed
from contracts.activity.reminders import ReminderRule
from contracts.intake.volunteers import (REQUIRED_TRAINING, TrainingSessionHeld, VolunteerCertified,
                                         VolunteerTrained, VolunteerWithdrew)
from services.projections.figures.reminders import close_about
from services.projections.figures.state import Batch, Fact


def child_stocks(child: dict) -> list[str]:
    """The stocks a child on file counts in."""
    category = child["category"]
    stocks = ["children", f"children_category_{category}"]
    if child["active_pairs"] > 0:
        stocks += ["children_paired", f"children_paired_category_{category}"]
    if child["tier"]:
        stocks.append(f"children_tier_{child['tier']}")
    return stocks


def _on(row: dict, day: date) -> date:
    """The day a change lands: not before the row's last change; which it becomes."""
    day = max(day, row["changed_on"])
    row["changed_on"] = day
    return day


def _child(b: Batch, child_id: str) -> dict | None:
    child = b.children.get(child_id)
    if child is None or child["exited"] or child["region"] is None:
        return None
    b.children.dirty.add(child_id)
    return child


def registered(b: Batch, f: Fact) -> None:
    e: ChildRegistered = f.event
    child = b.children.put(e.child_id, {
        "child_id": e.child_id, "region": f.region, "category": e.category.value, "active_pairs": 0,
        "tier": None, "exited": False, "changed_on": f.day, "last_contact": None})
    b.count(f.region, f.day, "children_registered", *child_stocks(child))


def joined(b: Batch, f: Fact) -> None:
    e: ChildJoinedPair = f.event
    if (child := _child(b, e.child_id)) is None:
        return
    pair = b.pairs.get(e.pair_id)
    child["active_pairs"] += 1
    if child["active_pairs"] == 1:
        day = _on(child, pair["formed_on"] if pair else f.day)
        b.count(child["region"], day, "children_paired", f"children_paired_category_{child['category']}")


def left(b: Batch, f: Fact) -> None:
    e: ChildLeftPair = f.event
    if (child := _child(b, e.child_id)) is None or child["active_pairs"] == 0:
        return
    child["active_pairs"] -= 1
    pair = b.pairs.get(e.pair_id)
    if child["active_pairs"] == 0:  # on the day her pair ended, which the pair's end counts on
        day = pair["ended_on"] if pair and pair["ended_on"] else f.day
        b.count(child["region"], _on(child, day), "children_paired",
                f"children_paired_category_{child['category']}", step=-1)


def assessed(b: Batch, f: Fact) -> None:
    e: ChildRiskAssessed = f.event
    if (child := _child(b, e.child_id)) is None:
        return
    day = _on(child, f.day)
    if child["tier"]:
        b.count(child["region"], day, f"children_tier_{child['tier']}", step=-1)
    child["tier"] = e.tier.value
    b.count(child["region"], day, f"children_tier_{child['tier']}")
    if e.tier is not RiskTier.red:
        close_about(b, e.child_id, ReminderRule.red_tier_without_contact, day)


def place_completed(b: Batch, f: Fact) -> None:
    """A child registered at her county gets her village: her stocks move down within the county on
    that day (no move in or out: she never left)."""
    e: ChildPlaceCompleted = f.event
    if (child := _child(b, e.child_id)) is None:
        return
    day = _on(child, f.day)
    b.count(child["region"], day, *child_stocks(child), step=-1)
    child["region"] = e.region
    b.count(e.region, day, *child_stocks(child))


def moved_out(b: Batch, f: Fact) -> None:
    e: ChildTransferredOut = f.event
    if (child := _child(b, e.child_id)) is None:
        return
    day = _on(child, f.day)
    b.count(child["region"], day, *child_stocks(child), step=-1)
    b.count(child["region"], day, "children_moved_out")
    child["region"] = None  # until it is in again


def moved_in(b: Batch, f: Fact) -> None:
    e: ChildTransferredIn = f.event
    child = b.children.get(e.child_id)
    if child is None:  # a file whose registration this read model never saw
        child = b.children.put(e.child_id, {
            "child_id": e.child_id, "region": None, "category": e.category.value,
            "active_pairs": len(e.active_pair_ids), "tier": None, "exited": False, "changed_on": f.day,
            "last_contact": None})
    if child["exited"]:
        return
    b.children.dirty.add(e.child_id)
    day = _on(child, f.day)
    if child["region"] is not None:  # moved in without a move out seen: it leaves the old region now
        b.count(child["region"], day, *child_stocks(child), step=-1)
    child["region"] = e.region
    b.count(e.region, day, *child_stocks(child))
    b.count(e.region, day, "children_moved_in")


def exited(b: Batch, f: Fact) -> None:
    e: ChildExited = f.event
    if (child := _child(b, e.child_id)) is None:
        return
    day = _on(child, e.exited_on)
    b.count(child["region"], day, *child_stocks(child), step=-1)
    b.count(child["region"], day, "children_exited", f"children_exited_reason_{e.reason.value}")
    child["exited"] = True
    close_about(b, e.child_id, ReminderRule.red_tier_without_contact, day)


def volunteer_stocks(volunteer: dict) -> list[str]:
    stocks = ["volunteers", f"volunteers_kind_{volunteer['kind']}", f"volunteers_type_{volunteer['vtype']}"]
    return stocks + [f"volunteers_{name}" for name in ("trained", "certified", "staff") if volunteer.get(name)]


def recruited(b: Batch, f: Fact) -> None:
    e: VolunteerRecruited = f.event
    volunteer = b.volunteers.put(e.volunteer_id, {
        "volunteer_id": e.volunteer_id, "region": f.region, "kind": e.kind.value, "vtype": e.volunteer_type.value,
        "team_id": e.team_id, "trained": False, "certified": False, "withdrawn": False, "changed_on": f.day,
        "staff": getattr(e, "staff", False)})
    b.count(f.region, f.day, "volunteers_recruited", *volunteer_stocks(volunteer))


def _became(b: Batch, volunteer_id: str, what: str, day: date) -> None:
    volunteer = b.volunteers.get(volunteer_id)
    if volunteer is None or volunteer["withdrawn"] or volunteer[what]:
        return
    b.volunteers.change(volunteer_id, **{what: True})
    b.count(volunteer["region"], _on(volunteer, day), f"volunteers_{what}")


def trained(b: Batch, f: Fact) -> None:
    e: VolunteerTrained = f.event
    if e.topic in REQUIRED_TRAINING:
        _became(b, e.volunteer_id, "trained", e.completed_on)


def certified(b: Batch, f: Fact) -> None:
    e: VolunteerCertified = f.event
    _became(b, e.volunteer_id, "certified", e.certified_on)


def withdrew(b: Batch, f: Fact) -> None:
    e: VolunteerWithdrew = f.event
    volunteer = b.volunteers.get(e.volunteer_id)
    if volunteer is None or volunteer["withdrawn"]:
        return
    day = _on(volunteer, f.day)
    b.count(volunteer["region"], day, *volunteer_stocks(volunteer), step=-1)
    b.count(volunteer["region"], day, "volunteers_withdrawn")
    b.volunteers.change(e.volunteer_id, withdrawn=True)


def training_held(b: Batch, f: Fact) -> None:
    e: TrainingSessionHeld = f.event
    b.count(f.region, e.held_on, "training_sessions")
    if e.station_id is not None:  # trained at a station: the session, and each volunteer trained
        b.count(f.region, e.held_on, "station_training_sessions")
        b.count(f.region, e.held_on, "volunteers_trained_at_stations", step=len(e.volunteer_ids))


def formed(b: Batch, f: Fact) -> None:
    e: PairFormed = f.event
    # The day it counts from: its own, or the last day one of its children changed on file (her
    # registration, at the latest), which the child's joining the pair counts from too.
    formed_on = max([e.formed_on or f.day, *(child["changed_on"] for c in e.child_ids
                                             if (child := b.children.get(c)) is not None)])
    b.pairs.put(e.pair_id, {"pair_id": e.pair_id, "region": f.region, "formed_on": formed_on,
                            "child_ids": list(e.child_ids), "volunteer_ids": list(e.volunteer_ids),
                            "ended_on": None, "last_contact": None})
    b.count(f.region, formed_on, "active_pairs", "pairs_formed")


def ended(b: Batch, f: Fact) -> None:
    e: PairEnded = f.event
    pair = b.pairs.get(e.pair_id)
    if pair is None or pair["ended_on"] is not None:
        return
    day = max(f.day, pair["formed_on"])
    b.pairs.change(e.pair_id, ended_on=day)
    b.count(pair["region"], day, "active_pairs", step=-1)
    b.count(pair["region"], day, "pairs_ended")
    close_about(b, e.pair_id, ReminderRule.contact_overdue, day)


APPLY = {
    ChildRegistered: registered, ChildJoinedPair: joined, ChildLeftPair: left, ChildRiskAssessed: assessed,
    ChildTransferredOut: moved_out, ChildTransferredIn: moved_in, ChildExited: exited,
    ChildPlaceCompleted: place_completed,
    VolunteerRecruited: recruited, VolunteerTrained: trained, VolunteerCertified: certified,
    VolunteerWithdrew: withdrew, TrainingSessionHeld: training_held, PairFormed: formed, PairEnded: ended,
}
