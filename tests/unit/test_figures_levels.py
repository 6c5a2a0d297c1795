"""The ledger's roll-ups, pure: each leaf delta counts once to the running total of the region at
each level above its leaf, keyed with its parent, with the latest day summed in; by day down to
the cities only; a key summed to zero keeps its row, as the ledger's do."""

from __future__ import annotations

from datetime import date

from services.projections.figures.arithmetic import Deltas
from services.projections.figures.levels import NO_PARENT, NOTHING_SETTLED, parent_of, rolled_up

HZ, SC = "440105001101", "510623100004"
MAR1, MAR2 = date(2026, 3, 1), date(2026, 3, 2)


def test_a_prefix_s_parent_is_the_level_above_and_cn_has_none() -> None:
    assert [parent_of(HZ[:n]) for n in (0, 2, 4, 6, 9, 12)] == [NO_PARENT, "", "44", "4401", "440105", "440105001"]


def test_each_delta_counts_at_every_level_by_day_above_the_leaf_and_in_the_totals_at_all() -> None:
    deltas = Deltas()
    deltas.add(HZ, MAR1, "children", 2)
    deltas.add(SC, MAR2, "children")
    deltas.add(HZ, MAR2, "children", -1)  # a move out: the leaf and every level above step down
    deltas.add(SC, MAR2, "wishes_open", 0)
    by_day, totals, ahead = rolled_up(deltas)
    total = {(r["parent"], r["prefix"], r["figure"]): (r["total"], r["last_day"]) for r in totals}
    assert total[(NO_PARENT, "", "children")] == (2, MAR2) and total[("", "44", "children")] == (1, MAR2)
    assert total[("440105", "440105001", "children")] == (1, MAR2) and total[("510623", "510623100", "children")] == (1, MAR2)
    assert total[(NO_PARENT, "", "wishes_open")] == (0, MAR2)  # kept at zero
    assert total[("440105001", HZ, "children")] == (1, MAR2)  # a village's own running total
    assert len(total) == 6 + 5 + 6  # CN shared by both leaves; wishes_open only under SC
    day = {(r["parent"], r["prefix"], r["day"], r["figure"]): r["delta"] for r in by_day}
    assert day[(NO_PARENT, "", MAR1, "children")] == 2 and day[(NO_PARENT, "", MAR2, "children")] == 0
    assert {len(prefix) for _parent, prefix, _day, _figure in day} == {0, 2, 4}  # below, the ledger's rows
    assert ahead == []  # nothing was dated after the day it was recorded


def test_a_step_dated_after_its_event_counts_ahead_at_every_level_and_leaves_the_last_day() -> None:
    deltas = Deltas()
    deltas.add(HZ, MAR1, "children", 1, recorded=MAR1)
    deltas.add(HZ, MAR2, "reminders_open", 1, recorded=MAR1)  # due tomorrow
    deltas.add(HZ, MAR2, "children", 1, recorded=MAR1)
    deltas.add(HZ, MAR2, "children", 1, recorded=MAR2)  # the same key, also stepped on its day
    _by_day, totals, ahead = rolled_up(deltas)
    total = {(r["parent"], r["prefix"], r["figure"]): (r["total"], r["last_day"]) for r in totals}
    assert total[(NO_PARENT, "", "children")] == (3, MAR2)  # the settled step on MAR2 moved it
    assert total[("440105001", HZ, "reminders_open")] == (1, NOTHING_SETTLED)
    later = {(r["parent"], r["day"], r["prefix"], r["figure"]): r["delta"] for r in ahead}
    assert later == {(parent_of(HZ[:n]), MAR2, HZ[:n], figure): 1
                     for n in (0, 2, 4, 6, 9, 12) for figure in ("children", "reminders_open")}
