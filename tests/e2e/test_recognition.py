"""最美爱心妈妈 end to end over HTTP, on a real nats-server with the services and read models in
process: a volunteer's year (a pair, a call, her child's wish fulfilled); her district nominates
her, and the record the nomination carries is the read side's, not the sender's; the province
awards her; her file tells it, and the figures count one province award for the year. Refusals
name their reason: a year not begun, an unknown or withdrawn volunteer."""

from __future__ import annotations

from tests.e2e.test_access import World, programme, world  # noqa: F401  (the fixture)


async def test_a_district_nominates_her_the_province_awards_her_and_her_file_and_the_figures_say_so(world):  # noqa: F811
    await programme(world)  # v-in and c-in in 海珠区, c-in's wish w-in
    await world.ok("n-caseworker", "form_pair", pair_id="p-in", child_ids=["c-in"], volunteer_ids=["v-in"])
    await world.ok("n-caseworker", "log_visit", pair_id="p-in", kind="phone_call", visited_on="2026-06-01",
                   duration_minutes=45)
    await world.ok("n-caseworker", "fulfil_wish", wish_id="w-in")
    await world.caught_up()

    nominated = await world.ok("d-caseworker", "nominate_volunteer", volunteer_id="v-in", year=2026)
    assert (nominated["nomination_id"], nominated["events"][0]["event_type"]) == ("2026-v-in", "VolunteerNominated")
    await world.caught_up()
    shown = (await world.get("d-caseworker", "/nominations/2026-v-in")).json()
    assert (shown["name"], shown["status"], shown["nominated_by"], shown["nominator_level"]) == (
        "王芳", "nominated", "440105000000", "district")
    record = shown["record"]
    assert {k: record[k] for k in ("service_minutes", "activities", "pairs", "children", "wishes_fulfilled")} == {
        "service_minutes": 45, "activities": 1, "pairs": 1, "children": 1, "wishes_fulfilled": 1}
    assert 0 <= record["five_ones_met"] <= record["five_ones_judged"]

    awarded = await world.ok("p-approver", "award_volunteer", nomination_id="2026-v-in")
    assert awarded["events"][0]["event_type"] == "VolunteerAwarded"
    await world.caught_up()
    file = (await world.get("d-caseworker", "/volunteers/v-in/file")).json()
    assert [r["record_id"] for r in file["records"] if r["kind"] == "nomination"] == ["2026-v-in"]
    told = [(e["event_type"], e["data"].get("level")) for e in file["events"] if e["aggregate_type"] == "nomination"]
    assert told == [("VolunteerNominated", None), ("VolunteerAwarded", "province")]
    history = (await world.get("p-viewer", "/history/nomination/2026-v-in")).json()["events"]
    assert [(e["event_type"], e["actor"]["operator_id"]) for e in history] == [
        ("VolunteerNominated", "d-caseworker"), ("VolunteerAwarded", "p-approver")]
    counts = (await world.get("n-viewer", "/regions/CN/recognitions", year=2026)).json()["counts"]
    assert counts == [{"year": 2026, "level": "province", "nominated": 1, "awarded": 1, "declined": 0}]
    listed = (await world.get("n-viewer", "/regions/44/nominations", year=2026, status="awarded")).json()
    assert [(n["volunteer_id"], n.get("name")) for n in listed["nominations"]] == [("v-in", None)]  # a viewer: no name


async def test_nominations_are_refused_saying_why(world: World) -> None:  # noqa: F811
    await world.ok("n-caseworker", "recruit_volunteer", volunteer_id="v-gone", region="440105001101", name="王芳",
                   sex="female", kind="mother")
    await world.ok("n-caseworker", "withdraw_volunteer", volunteer_id="v-gone", reason="搬家")
    gone = await world.post("d-caseworker", "nominate_volunteer", volunteer_id="v-gone", year=2026)
    assert gone.status_code == 409 and "v-gone has withdrawn" in gone.json()["message"]
    future = await world.post("d-caseworker", "nominate_volunteer", volunteer_id="v-gone", year=2027)
    assert future.status_code == 422 and future.json()["details"][0]["loc"] == ["year"]
    unknown = await world.post("d-caseworker", "nominate_volunteer", volunteer_id="v-nobody", year=2026)
    assert unknown.status_code == 404 and "v-nobody is not recruited" in unknown.json()["message"]
    nothing = await world.post("p-approver", "award_volunteer", nomination_id="2026-v-nobody")
    assert nothing.status_code == 404 and "nomination 2026-v-nobody does not exist" in nothing.json()["message"]
    blank = await world.post("p-approver", "decline_nomination", nomination_id="2026-v-gone", reason=" ")
    assert blank.status_code == 422 and blank.json()["details"][0]["loc"] == ["body", "reason"]
    assert (await world.get("d-viewer", "/nominations/2026-v-nobody")).status_code == 404
