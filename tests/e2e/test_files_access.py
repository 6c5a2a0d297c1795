"""The files over HTTP (GET /children|volunteers|pairs/{id}/file) with test_access's federation: each
role reads the files of its subtree only; caseworkers and approvers read them with the particulars
opened (her name, the wish's item) and every look in the access log; the other roles read them as
the history gives them, sealed and withheld, nameless and unlogged."""

from __future__ import annotations

from tests.e2e.test_access import ACCOUNTS, NAMES, TAGS, World, personal, programme, within, world  # noqa: F401


def by_type(answer: dict, event_type: str) -> dict:
    return next(e for e in answer["events"] if e["event_type"] == event_type)


async def test_each_role_reads_the_files_of_its_subtree_opened_only_where_it_works_with_files(world: World) -> None:
    await programme(world)
    for username in ACCOUNTS:
        for region, tag in TAGS.items():
            child = await world.get(username, f"/children/c-{tag}/file")
            volunteer = await world.get(username, f"/volunteers/v-{tag}/file")
            expected = 200 if within(username, region) else 403
            assert (child.status_code, volunteer.status_code) == (expected, expected), f"{username} {tag}: {child.text}"
            if expected == 403:
                continue
            answer, sees = child.json(), personal(username)
            assert answer["personal"] is sees and [r["kind"] for r in answer["records"]] == ["wish"]
            registered, wish = by_type(answer, "ChildRegistered"), by_type(answer, "WishSubmitted")
            assert wish["aggregate_id"] == f"w-{tag}" and wish["actor"]["operator_id"] == "n-caseworker"
            if sees:
                assert answer["children"] == {f"c-{tag}": NAMES[region]}
                assert registered["data"]["personal"]["name"] == NAMES[region] and wish["data"]["item"] == "书包"
                assert volunteer.json()["volunteers"] == {f"v-{tag}": "王芳"}
            else:
                assert answer["children"] == {} and volunteer.json()["volunteers"] == {}
                assert registered["data"]["personal"] == "<sealed>" and wish["data"]["item"] == "<sealed>"


async def test_a_file_is_found_or_said_missing_and_every_look_is_logged(world: World) -> None:
    await programme(world)
    missing = await world.get("d-caseworker", "/children/nobody/file")
    assert missing.status_code == 404 and missing.json()["message"] == "no child with id nobody"
    assert (await world.get("d-caseworker", "/children/w-in/file")).status_code == 404  # a wish is no child
    assert (await world.get("d-caseworker", "/pairs/bad id/file")).status_code == 422
    for _ in range(2):
        assert (await world.get("d-caseworker", "/children/c-in/file")).status_code == 200
    assert (await world.get("d-caseworker", "/volunteers/v-in/file")).status_code == 200
    assert (await world.get("d-viewer", "/children/c-in/file")).status_code == 200
    audit = (await world.get("n-admin", "/audit/access", account="d-caseworker")).json()["entries"]
    looks = [(e["route"], e["child_id"]) for e in audit]
    assert looks.count(("/children/{child_id}/file", "c-in")) == 2
    assert ("/volunteers/{volunteer_id}/file", None) in looks  # her file names no child: logged all the same
    assert (await world.get("n-admin", "/audit/access", account="d-viewer")).json()["entries"] == []
