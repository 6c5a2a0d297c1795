"""Wishes, funds, gift packs and concerns on a real nats-server, through the endpoint layer: a card
redeemed by fifty at once fulfils its wish once, concurrent allocations never overdraw a fund, the
fund's statement agrees with its log, a concern's tier change lands with it atomically."""

from __future__ import annotations

import asyncio
from typing import Any


from contracts.replies import ErrorCode, Reply
from services.activity.giving.funds import fund_state
from services.activity.giving.wishes import wish_lifecycle
from services.api.app import create_api
from services.activity.concerns.tier import care_tier
from services.projections import all_projections
from services.projections.concern_cases import concerns_in
from services.projections.fund_statement import fund_statement
from services.projections.gift_pack_deliveries import gift_packs_delivered
from services.shared.follower.projector import Projector
from contracts.regions import parse_region
from tests.e2e.test_http_api import signed_in_client
from tests.log.projection_cases import catch_up, running
from tests.log.test_commands import CHILD, error_of, event_types, ok, send
from tests.log.test_projections import read_db  # noqa: F401  (the SQLite and PostgreSQL read models)

DISTRICT = "440105000000"  # 海珠区: the office that keeps the donor and the fund


async def child(deps, **fields: Any) -> str:
    return (await ok(deps, "register_child", **{**CHILD, "id_number": None, **fields}))["child_id"]


async def approved_wish(deps, child_id: str, cost: int = 120) -> str:
    wish_id = (await ok(deps, "submit_wish", child_id=child_id, item="书包", estimated_cost_yuan=cost))["wish_id"]
    await ok(deps, "approve_wish", wish_id=wish_id)
    return wish_id


async def funded(deps, yuan: str) -> tuple[str, str]:
    donor_id = (await ok(deps, "register_donor", region=DISTRICT, name="某爱心企业"))["donor_id"]
    fund_id = (await ok(deps, "open_fund", opened_on="2025-09-01", region=DISTRICT, name="海珠爱心基金"))["fund_id"]
    await ok(deps, "receive_donation", fund_id=fund_id, donor_kind="enterprise", donor_id=donor_id,
             amount_yuan=yuan, received_on="2026-05-01")
    return donor_id, fund_id


async def balance(event_log, fund_id: str) -> int:
    history = await event_log.load("fund", fund_id)
    return fund_state([e.event for e in history.events]).balance_fen


async def test_fifty_concurrent_redemptions_of_one_card_fulfil_the_wish_once(deps, event_log, nats_server) -> None:
    wish_id = await approved_wish(deps, await child(deps))
    donor_id = (await ok(deps, "register_donor", region=DISTRICT, name="某爱心企业"))["donor_id"]
    await ok(deps, "pledge_wish", wish_id=wish_id, donor_kind="enterprise", donor_id=donor_id)
    code = (await ok(deps, "issue_wish_card", wish_id=wish_id))["code"]

    replies = await asyncio.gather(*(send(deps, "redeem_wish_card", wish_id=wish_id, code=code) for _ in range(50)))
    assert sum(r.ok for r in replies) == 1
    refused = [r.error for r in replies if not r.ok]
    assert {e.code for e in refused} == {ErrorCode.rule_violated}
    assert all(f"wish {wish_id} is already fulfilled" in e.message for e in refused)
    assert await event_types(event_log, "wish", wish_id) == [
        "WishSubmitted", "WishApproved", "WishPledged", "WishCardIssued", "WishCardRedeemed", "WishFulfilled"]

    on_disk = b"".join(p.read_bytes() for p in nats_server.store_dir.rglob("*") if p.is_file())
    assert wish_id.encode() in on_disk and code.encode() not in on_disk


async def test_a_card_voids_direct_fulfilment_and_a_reissued_card_voids_the_old_one(deps, event_log) -> None:
    wish_id = await approved_wish(deps, await child(deps))
    volunteer = (await ok(deps, "recruit_volunteer", region="440105001102", name="王芳", sex="female",
                          kind="mother"))["volunteer_id"]
    await ok(deps, "pledge_wish", wish_id=wish_id, donor_kind="volunteer", donor_id=volunteer)
    first = await ok(deps, "issue_wish_card", command_id="issue-1", wish_id=wish_id)
    again = await ok(deps, "issue_wish_card", command_id="issue-1", wish_id=wish_id)  # a retry: no code twice
    assert again["duplicate"] and again["code"] is None
    assert error_of(await send(deps, "fulfil_wish", wish_id=wish_id))[0] is ErrorCode.rule_violated
    second = await ok(deps, "issue_wish_card", wish_id=wish_id)
    old = await send(deps, "redeem_wish_card", wish_id=wish_id, code=first["code"])
    assert error_of(old) == (ErrorCode.invalid, [["code"]])
    await ok(deps, "redeem_wish_card", wish_id=wish_id, code=second["code"])
    wish = wish_lifecycle([e.event for e in (await event_log.load("wish", wish_id)).events])
    assert (wish.status, wish.card.replaces, wish.pledge.donor_id) == ("fulfilled", first["card_id"], volunteer)


def allocation_outcomes(replies: list[Reply]) -> set[ErrorCode]:
    return {r.error.code for r in replies if not r.ok}


async def test_concurrent_allocations_never_overdraw_a_fund(deps, event_log) -> None:
    child_id = await child(deps)
    donor_id, fund_id = await funded(deps, "1000")
    # Twenty gift packs at 300 yuan, at once, no retries: the fund's sequence lets one writer through
    # at a time, and no more than three fit in 1000 yuan whatever the interleaving.
    team_id = (await ok(deps, "form_team", formed_on="2025-09-01", region="440105001101", name="海珠志愿服务队"))["team_id"]
    packs = await asyncio.gather(*(send(deps, "deliver_gift_pack", child_id=child_id, delivered_on="2026-06-01",
                                        team_id=team_id, fund_id=fund_id, amount_yuan=300) for _ in range(20)))
    delivered = sum(r.ok for r in packs)
    assert 1 <= delivered <= 3 and allocation_outcomes(packs) <= {ErrorCode.conflict, ErrorCode.rule_violated}
    assert await balance(event_log, fund_id) == 100_000 - delivered * 30_000 >= 0

    # Twenty wishes at 120 yuan pledged from what is left, each client retrying when told of a
    # conflict: exactly as many as fit go through, the others are told the fund is short.
    left = await balance(event_log, fund_id)
    wishes = [await approved_wish(deps, child_id) for _ in range(20)]
    replies = await asyncio.gather(*(_pledge_retrying(deps, w, donor_id, fund_id) for w in wishes))
    assert sum(r.ok for r in replies) == left // 12_000
    assert allocation_outcomes(replies) == {ErrorCode.rule_violated}
    assert all(f"fund {fund_id} holds" in r.error.message for r in replies if not r.ok)
    assert await balance(event_log, fund_id) == left % 12_000


async def _pledge_retrying(deps, wish_id: str, donor_id: str, fund_id: str) -> Reply:
    fields = {"command_id": f"pledge-{wish_id}", "wish_id": wish_id, "donor_kind": "enterprise",
              "donor_id": donor_id, "fund_id": fund_id}
    while True:
        reply = await send(deps, "pledge_wish", **fields)
        if reply.ok or reply.error.code is not ErrorCode.conflict:
            return reply


async def test_the_fund_statement_agrees_with_the_log(deps, event_log, keys, nc, read_db, tmp_path) -> None:  # noqa: F811
    child_id = await child(deps, birth_date="2019-06-01")  # seven today
    donor_id, fund_id = await funded(deps, "500.50")
    await ok(deps, "receive_donation", fund_id=fund_id, donor_kind="enterprise", donor_id=donor_id,
             amount_yuan="99.50", received_on="2026-05-20")
    team_id = (await ok(deps, "form_team", formed_on="2025-09-01", region="440105001101", name="海珠志愿服务队"))["team_id"]
    wish_id = await approved_wish(deps, child_id, cost=120)
    await ok(deps, "pledge_wish", wish_id=wish_id, donor_kind="enterprise", donor_id=donor_id, fund_id=fund_id)
    await ok(deps, "deliver_gift_pack", child_id=child_id, delivered_on="2026-06-01", team_id=team_id,
             fund_id=fund_id, amount_yuan="88.80")
    await ok(deps, "cancel_wish", wish_id=wish_id, reason="no_longer_needed")  # its 120 yuan come back

    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
    async with read_db.connect() as conn:
        statement = await fund_statement(conn, fund_id)
        packs = await gift_packs_delivered(conn, parse_region("4401"))
    logged = [e for e in (await event_log.load("fund", fund_id)).events if e.envelope.event_type != "FundOpened"]
    assert [line["seq"] for line in statement["lines"]] == [e.seq for e in logged]
    assert [line["kind"] for line in statement["lines"]] == ["donation", "donation", "allocation", "allocation",
                                                             "release"]
    assert statement["balance_fen"] == await balance(event_log, fund_id) == 60_000 - 8_880
    assert statement["balance_yuan"] == "511.20" and statement["lines"][-1]["balance_fen"] == 51_120
    assert (statement["lines"][0]["party_name"], statement["lines"][-1]["party_id"]) == ("某爱心企业", wish_id)
    assert packs == {"packs": 1, "by_version": {"age_7_12": 1}, "by_team": {team_id: 1},
                     "by_station": {"(no station)": 1}}

    api = create_api(nc, event_log, read_db, keys)
    async with signed_in_client(api, event_log, tmp_path) as http:
        assert (await http.get(f"/funds/{fund_id}/statement")).json() == statement
        assert (await http.get("/funds/nothing/statement")).status_code == 404


async def test_a_concern_sets_the_child_tier_atomically_and_is_followed_to_its_close(
    deps, event_log, read_db  # noqa: F811
) -> None:
    child_id = await child(deps)
    raised = await ok(deps, "raise_concern", child_id=child_id, kind="depression_signs", raised_on="2026-05-20",
                      note="不愿说话", tier="orange")
    concern_id = raised["concern_id"]
    # One batch: the concern's first event and the child's assessment were stored together.
    assert [e["event_type"] for e in raised["events"]] == ["ConcernRaised", "ChildRiskAssessed"]
    await ok(deps, "refer_concern", concern_id=concern_id, professional="psychological_counsellor",
             professional_name="海珠区心理咨询中心", referred_on="2026-05-22", tier="red")
    await ok(deps, "follow_up_concern", concern_id=concern_id, followed_up_on="2026-05-29", note="按时咨询")
    projector = Projector(event_log, read_db, all_projections())
    await projector.create_schema()
    async with running(projector):
        await catch_up(projector, event_log)
        async with read_db.connect() as conn:
            [open_case] = await concerns_in(conn, parse_region("440105"))
        await ok(deps, "close_concern", concern_id=concern_id, outcome="resolved", closed_on="2026-06-01", tier="blue")
        await catch_up(projector, event_log)
        async with read_db.connect() as conn:
            assert await concerns_in(conn, parse_region("440105")) == []
    assert (open_case["referred_to"], open_case["follow_ups"], open_case["last_step_on"]) == (
        ["psychological_counsellor"], 1, "2026-05-29")
    assert care_tier(e.event for e in (await event_log.load("child_care", child_id)).events) == "blue"
    assert error_of(await send(deps, "follow_up_concern", concern_id=concern_id, followed_up_on="2026-06-01",
                               note="再次回访"))[0] is ErrorCode.rule_violated
    assert await event_types(event_log, "concern", concern_id) == [
        "ConcernRaised", "ConcernReferred", "ConcernFollowedUp", "ConcernClosed"]
