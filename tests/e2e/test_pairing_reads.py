"""The pairing pages' reads over HTTP, on the federation of tests/e2e/test_access.py: the children
waiting for a pair, assessed or not, named (with sex and age) only for the roles that see names and
every child so named in the access log; and a proposal's score and reasons for its approver, the
same as the suggestion its proposer chose."""

from __future__ import annotations

from tests.e2e.test_access import IN, NEAR, World, child, world  # noqa: F401  (the fixture)

UNPAIRED = "/regions/440105/unpaired-children"


async def test_waiting_children_are_listed_tier_first_then_unassessed_named_only_for_file_roles(world: World) -> None:
    await child(world, "c-first", IN, "周小雨")  # registered first, never assessed
    await child(world, "c-red", IN, "李小花")
    await child(world, "c-near", NEAR, "黄乐")
    await world.ok("n-caseworker", "assess_risk", child_id="c-red", tier="red", reason="父母外出务工")
    await world.ok("n-caseworker", "recruit_volunteer", volunteer_id="v-in", region="440105001101", name="王芳",
                   sex="female", kind="mother", capacity=5)
    await world.ok("n-caseworker", "record_training", topic="minors_protection_law", held_on="2026-05-02",
                   volunteer_ids=["v-in"])
    await world.ok("d-caseworker", "propose_pair", pair_id="P-first", child_ids=["c-first"], volunteer_ids=["v-in"])
    await world.caught_up()

    named = (await world.get("d-caseworker", UNPAIRED)).json()
    assert (named["total"], named["named"]) == (2, True)
    first, second = named["children"]
    assert (first["child_id"], first["tier"], first["name"], first["proposed_in"]) == ("c-red", "red", "李小花", [])
    assert (second["child_id"], second["tier"], second["name"]) == ("c-first", None, "周小雨")
    assert (second["sex"], second["proposed_in"], second["region"]) == ("female", ["P-first"], "440105001101")
    assert isinstance(second["age"], int) and second["age"] >= 16

    ids_only = (await world.get("d-viewer", UNPAIRED)).json()
    assert ids_only["named"] is False
    assert [set(row) & {"name", "sex", "age"} for row in ids_only["children"]] == [set(), set()]
    assert [row["child_id"] for row in ids_only["children"]] == ["c-red", "c-first"]
    assert (await world.get("d-caseworker", "/regions/440117/unpaired-children")).status_code == 403
    page = (await world.get("p-viewer", "/regions/44/unpaired-children", limit=1, offset=1)).json()
    assert (page["total"], [row["child_id"] for row in page["children"]]) == (3, ["c-first"])

    logged = (await world.get("n-admin", "/audit/access", account="d-caseworker")).json()["entries"]
    assert sorted(e["child_id"] for e in logged if e["route"] == "/regions/{code}/unpaired-children") == \
        ["c-first", "c-red"]
    assert (await world.get("n-admin", "/audit/access", account="d-viewer")).json()["entries"] == []


async def test_a_proposals_reasons_are_those_of_the_suggestion_it_was_made_from(world: World) -> None:
    await child(world, "c-new", IN, "周小雨")
    await world.ok("n-caseworker", "recruit_volunteer", volunteer_id="v-in", region="440105001101", name="王芳",
                   sex="female", kind="mother", capacity=2, specialties=["心理咨询"])
    await world.ok("n-caseworker", "record_training", topic="minors_protection_law", held_on="2026-05-02",
                   volunteer_ids=["v-in"])
    await world.caught_up()
    suggested = (await world.get("d-caseworker", "/children/c-new/suggestions")).json()
    assert (suggested["child"]["tier"], suggested["child"]["sex"], suggested["child"]["region"]) == \
        (None, "female", "440105001101")
    [offer] = suggested["candidates"]
    assert {r["kind"] for r in offer["reasons"]} == {"eligible", "place", "sex", "capacity", "tier"}
    await world.ok("d-caseworker", "propose_pair", pair_id="P-new", child_ids=["c-new"], volunteer_ids=["v-in"],
                   score=offer["score"])
    await world.caught_up()
    after = (await world.get("d-caseworker", "/children/c-new/suggestions")).json()
    assert after["candidates"] == [] and after["pairable"] is False  # proposed: no longer offered

    explained = (await world.get("d-approver", "/regions/440105/proposal-reasons")).json()
    [proposal] = explained["proposals"]
    [match] = proposal["matches"]
    assert proposal["pair_id"] == "P-new"
    assert (match["child_id"], match["volunteer_id"], match["score"]) == ("c-new", "v-in", offer["score"])
    assert match["reasons"] == offer["reasons"]
    viewer = (await world.get("d-viewer", "/children/c-new/suggestions")).json()
    assert "sex" not in viewer["child"] and "child_name" not in viewer
