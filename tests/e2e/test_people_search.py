"""Finding a child or a volunteer by part of her name, as the dashboard's forms do (GET
/regions/{code}/people), on the access tests' platform: a caseworker finds the children of her
office's subtree only, with the pairs they stand in; a viewer may not search names at all; every
child found is in the access log, under her own region."""

from __future__ import annotations

from tests.e2e.test_access import COMMUNITY, IN, NEAR, World, programme, world  # noqa: F401  (the fixture)


async def test_a_caseworker_finds_by_name_within_her_subtree_and_each_child_found_is_logged(world: World) -> None:  # noqa: F811
    await programme(world)
    await world.ok("n-caseworker", "form_pair", pair_id="p-in", child_ids=["c-in"], volunteer_ids=["v-in"])
    await world.caught_up()

    found = (await world.get("d-caseworker", "/regions/440105/people", q="小花")).json()
    assert found["complete"] and [(p["child_id"], p["name"], p["pair_ids"]) for p in found["people"]] == [
        ("c-in", "李小花", ["p-in"])]
    assert (await world.get("d-caseworker", "/regions/440105/people", q="黄")).json()["people"] == []  # 黄乐: 从化区
    assert (await world.get("d-caseworker", "/regions/440117/people", q="黄")).status_code == 403  # not her office
    national = (await world.get("n-caseworker", "/regions/CN/people", q="黄")).json()["people"]
    assert [p["region"] for p in national] == [COMMUNITY[NEAR]]

    mothers = (await world.get("d-caseworker", "/regions/440105/people", q="王", kind="volunteer")).json()
    assert [(p["volunteer_id"], p["pair_ids"]) for p in mothers["people"]] == [("v-in", ["p-in"])]

    assert (await world.get("d-viewer", "/regions/440105/people", q="小花")).status_code == 403
    assert (await world.get("d-caseworker", "/regions/440105/people", q="")).status_code == 422
    assert (await world.get("d-caseworker", "/regions/440105/people", q="x", kind="pair")).status_code == 422

    audit = (await world.get("n-admin", "/audit/access", account="d-caseworker")).json()["entries"]
    assert [(e["route"], e["child_id"], e["region"]) for e in audit] == [
        ("/regions/{code}/people", "c-in", COMMUNITY[IN])]
