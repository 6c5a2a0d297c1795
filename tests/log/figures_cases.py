"""The programme the figure-ledger tests build, day by day on a settable clock, and what its figures
must be, worked out by hand. Four children in two provinces; c1 moves from 海珠 to 从化 on 5 April
with its pair and its red tier; c4's pair ends on 20 April; c2 leaves the programme on 1 May."""

from __future__ import annotations

from datetime import date

from tests.log.care_cases import FakeClock, child, ok, volunteer

HZ1, HZ2, CH, SC = "440105001101", "440105001102", "440117001001", "510623100004"
MOVED_ON = date(2026, 4, 5)
LAST_DAY = date(2026, 5, 2)  # the clock's last day


async def programme(deps, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 1))
    await ok(deps, "form_team", team_id="t1", region="440105", name="海珠区爱心妈妈服务队")
    await child(deps, "c1", date(2016, 5, 10), HZ1)
    await ok(deps, "register_child", child_id="c2", region=HZ1, name="李小草", sex="male",
             birth_date=date(2015, 2, 1), category="in_difficulty", subtype="low_income")
    await child(deps, "c3", date(2015, 1, 1), HZ2)
    await child(deps, "c4", date(2014, 1, 1), SC)
    await volunteer(deps, "v1", region=HZ1)
    await ok(deps, "recruit_volunteer", volunteer_id="v2", region=SC, name="张强", sex="male", kind="father",
             volunteer_type="specialist", team_id="t1")
    await ok(deps, "record_training", topic="minors_protection_law", held_on="2026-03-01", volunteer_ids=["v2"])
    await ok(deps, "form_pair", pair_id="p1", child_ids=["c1"], volunteer_ids=["v1"])
    await ok(deps, "form_pair", pair_id="p2", child_ids=["c4"], volunteer_ids=["v2"])
    await ok(deps, "open_station", station_id="s1", region=HZ2, name="鹭江驿站", opening_days=["sat", "sun"])
    await ok(deps, "submit_wish", wish_id="w1", child_id="c3", item="书包", estimated_cost_yuan=80)
    donor = (await ok(deps, "register_donor", region="440105", name="某爱心企业"))["donor_id"]
    fund = (await ok(deps, "open_fund", fund_id="f1", region="440105", name="海珠爱心基金"))["fund_id"]
    await ok(deps, "receive_donation", fund_id=fund, donor_kind="enterprise", donor_id=donor,
             amount_yuan="1000", received_on="2026-03-01")
    clock.set(date(2026, 3, 12))
    await ok(deps, "log_visit", pair_id="p1", kind="phone_call", visited_on="2026-03-10", duration_minutes=30)
    await ok(deps, "log_activity", pair_id="p2", kind="reading", held_on="2026-03-10", duration_minutes=60)
    await ok(deps, "log_collective_activity", station_id="s1", kind="station_activity", held_on="2026-03-12",
             duration_minutes=120, volunteer_ids=["v1"], child_ids=["c1", "c3"], attendance=40)
    clock.set(date(2026, 3, 15))
    await ok(deps, "assess_risk", child_id="c1", tier="red", reason="情绪低落")
    clock.set(date(2026, 3, 20))
    await ok(deps, "fulfil_wish", wish_id="w1")
    await ok(deps, "deliver_gift_pack", child_id="c3", delivered_on="2026-03-20", team_id="t1", fund_id=fund,
             amount_yuan="100")
    clock.set(MOVED_ON)
    await ok(deps, "transfer_child", child_id="c1", to_region=CH)
    clock.set(date(2026, 4, 20))
    await ok(deps, "end_pair", pair_id="p2", reason="moved")
    clock.set(LAST_DAY)
    await ok(deps, "exit_child", child_id="c2", reason="parents_returned", exited_on="2026-05-01")


# Figures of each leaf at the end (absent ones are 0); the fund and the team are the district's own.
AT_THE_END = {
    HZ1: dict(children_registered=2, volunteers=1, volunteers_kind_mother=1, volunteers_type_neighbour=1,
              volunteers_trained=1, volunteers_recruited=1, children_moved_out=1, children_exited=1,
              children_exited_reason_parents_returned=1, active_pairs=1, pairs_formed=1, activities=1,
              activities_kind_phone_call=1, activities_by_pair=1, activity_minutes=30, service_minutes=30,
              person_times=1, child_person_times=1, volunteer_person_times=1, attendance=2),
    HZ2: dict(children=1, children_category_left_behind=1, children_registered=1, stations_open=1,
              activities=1, activities_kind_station_activity=1, activities_by_station=1, activity_minutes=120,
              service_minutes=120, person_times=39, child_person_times=2, other_person_times=37,
              volunteer_person_times=1, attendance=40, wishes_submitted=1,
              wishes_fulfilled=1, gift_packs=1, gift_packs_version_age_7_12=1),
    CH: dict(children=1, children_category_left_behind=1, children_paired=1, children_paired_category_left_behind=1,
             children_tier_red=1, children_moved_in=1),
    SC: dict(children=1, children_category_left_behind=1, children_registered=1, volunteers=1,
             volunteers_kind_father=1, volunteers_type_specialist=1, volunteers_trained=1, volunteers_recruited=1,
             pairs_formed=1, pairs_ended=1, activities=1, activities_kind_reading=1, activities_by_pair=1,
             activity_minutes=60, service_minutes=60, person_times=1, child_person_times=1,
             volunteer_person_times=1, attendance=2),
    # The district's own: its team and fund, and the training sessions (held where the first volunteer's
    # district is).
    "440105000000": dict(teams=1, teams_level_district=1, funds=1, donors=1, funds_raised_fen=100_000,
                         funds_allocated_fen=10_000, fund_balance_fen=90_000, training_sessions=1),
    "510623000000": dict(training_sessions=1),
}
