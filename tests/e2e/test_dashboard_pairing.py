"""Pairing in a real browser, against the platform of tests/e2e/test_dashboard.py (its fixture, with
an approver and a viewer of 海珠区 and a trained volunteer there): a caseworker finds a child not yet
assessed on the list of children awaiting a pair, reads the volunteers suggested for her with each
score explained in words, and proposes one — no id typed anywhere; an approver reads the same score
and reasons on the proposal's card and approves it. In English, a tier is set with its reason and a
batch for the district is previewed, then sent, with its summary. A viewer sees ids only and no
action. Screenshots of each page are kept, as test_dashboard's are."""

from __future__ import annotations

import pytest

from contracts.accounts import Role
from tests.e2e import test_dashboard
from tests.e2e.test_dashboard import HERS, Site, browser, sign_in  # noqa: F401 (the fixture, reused)
from tests.e2e.test_dashboard_forms import command
from tests.log.projection_cases import catch_up

from playwright.async_api import Page, expect  # noqa: E402  (test_dashboard skips without one)

MORE = {"approver": ("440105", Role.approver), "viewer": ("440105", Role.viewer)}
NEW = "c-new"  # registered, never assessed


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch):
    async with test_dashboard.serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc,
                                      accounts_of={**test_dashboard.ACCOUNTS, **MORE}) as running:
        await command(running, "nation", "recruit_volunteer", "intake", volunteer_id="v-hz", region=HERS,
                      name="王芳", sex="female", kind="mother", capacity=5, specialties=["心理咨询"])
        await command(running, "nation", "record_training", "intake", topic="minors_protection_law",
                      held_on="2026-05-02", volunteer_ids=["v-hz"])
        await running.register(NEW, HERS, "周小雨")
        yield running


async def new_page(browser, width: int = 1366) -> Page:
    return await (await browser.new_context(viewport={"width": width, "height": 900})).new_page()


async def test_a_caseworker_pairs_an_untiered_child_and_an_approver_approves_it(site: Site, browser) -> None:
    page = await new_page(browser)
    await sign_in(page, site, "haizhu")
    await page.click("#open-pairing")
    await expect(page.locator("h1")).to_have_text("待结对儿童")
    rows = page.locator("#unpaired tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("红色")  # the tiered first
    new = page.locator(f"#child-{NEW}")
    for text in ("周小雨", "未评定", "女，14 岁", "下渡社区居委会", "赤岗街道"):
        await expect(new).to_contain_text(text)
    await expect(page.locator("#ids-only")).to_have_count(0)
    await site.shot(page, "pairing-1-list-zh", twin=False)

    await new.locator("a.suggest").click()
    await expect(page.locator("h1")).to_have_text("为周小雨结对")
    card = page.locator("#candidate-1")
    for text in ("王芳", "同一村（社区）：下渡社区居委会", "性别相同（女）", "尚未评定风险等级",
                 "现照护 0 名儿童，可照护 5 名"):
        await expect(card).to_contain_text(text)
    score = await card.locator(".score").inner_text()
    terms = await card.locator(".terms").inner_text()
    await page.click("#set-tier")  # no tier, no reason: refused next to the fields, nothing set
    await expect(page.locator("#e-tier")).to_be_visible()
    await expect(page.locator("#child-tier")).to_have_text("未评定")
    await site.shot(page, "pairing-2-child-zh", twin=False)

    await card.locator("button.propose").click()
    await expect(page.locator("#pairing-done")).to_have_text("已提议结对，等待审批。")
    await expect(page.locator(f"#child-{NEW}")).to_contain_text("结对提议待审批")  # before the read models know
    await catch_up(site.projector, site.event_log)
    await page.reload()
    await expect(page.locator(f"#child-{NEW}")).to_contain_text("结对提议待审批")
    await expect(page.locator(f"#child-{NEW} a.suggest")).to_have_count(0)

    approver = await new_page(browser)
    await sign_in(approver, site, "approver")
    await expect(approver.locator("#open-approvals")).to_have_count(1)
    await expect(approver.locator("#open-approvals")).to_have_text("待审批的结对")
    assert await approver.locator("main").get_by_text("待审批的结对", exact=True).count() == 1  # listed once
    await approver.click("#open-approvals")
    proposal = approver.locator(".proposal")
    await expect(proposal).to_have_count(1)
    await expect(proposal).to_contain_text("周小雨 → 王芳")
    await expect(proposal.locator(".score")).to_have_text(score)  # the score the proposer read
    assert await proposal.locator(".terms").inner_text() == terms  # and the same reasons
    await expect(proposal).to_contain_text("下渡社区居委会，赤岗街道")
    await site.shot(approver, "pairing-3-approval-card-zh", twin=False)
    await approver.click("#lang-switch")  # the same card in English
    await expect(proposal.locator(".terms")).to_contain_text("Same village (community): 下渡社区居委会")
    await site.shot(approver, "pairing-3b-approval-card-en", twin=False)
    await proposal.locator("button.approve").click()
    await expect(approver.locator("#approvals-done")).to_have_text("The pair was approved.")
    await catch_up(site.projector, site.event_log)
    await page.reload()
    await expect(page.locator(f"#child-{NEW}")).to_have_count(0)  # paired: off the list


async def test_in_english_a_tier_is_set_and_a_district_batch_is_previewed_then_sent(site: Site, browser) -> None:
    page = await new_page(browser)
    await sign_in(page, site, "haizhu")
    await page.click("#lang-switch")
    await page.click("#open-pairing")
    await expect(page.locator("h1")).to_have_text("Children awaiting a pair")
    await expect(page.locator(f"#child-{NEW}")).to_contain_text("Not assessed")
    await page.locator(f"#child-{NEW} a.suggest").click()
    await page.select_option("#f-tier", "orange")
    await page.fill("#f-reason", "母亲外出务工，与祖母同住")
    await page.click("#set-tier")
    await expect(page.locator("#pairing-done")).to_have_text("The risk tier was set.")
    await expect(page.locator("#child-tier")).to_have_text("Orange")  # before the read models know
    await catch_up(site.projector, site.event_log)
    await page.reload()
    await expect(page.locator("#child-tier")).to_have_text("Orange")
    await expect(page.locator("#candidate-1")).to_contain_text("Same village (community): 下渡社区居委会")
    await expect(page.locator("#candidate-1")).to_contain_text("Orange tier: urgent")
    await site.shot(page, "pairing-4-child-en", twin=False)

    await page.click("#back-to-list")
    await expect(page.locator("#unpaired tbody tr").nth(1)).to_contain_text("Orange")  # red, then orange
    await site.shot(page, "pairing-5-list-en", twin=False)
    await page.click("#open-batch")
    await page.select_option("#b-within", label="海珠区")  # the district, not one of its streets
    await page.click("#batch-preview")
    proposed = page.locator("#batch-proposals > li")
    await expect(proposed).to_have_count(2)  # one volunteer with room for five: both children
    await expect(page.locator("#batch-counts")).to_contain_text("Pairs proposed: 2 · children unmatched: 0")
    await expect(proposed.nth(0)).to_contain_text("李小花")  # red before orange
    await expect(proposed.nth(1)).to_contain_text("周小雨 Orange · 下渡社区居委会 → 王芳")
    await expect(page.locator("#preview-title ~ .notice")).to_contain_text("nothing has been sent")
    await site.shot(page, "pairing-6-batch-preview-en", twin=False)
    headers = await test_dashboard.bearer(site.http, "nation")
    waiting = await site.http.get("/regions/440105/proposals", headers=headers)
    assert waiting.json()["proposals"] == []  # a preview sends nothing

    await page.uncheck("#pick-2")  # she keeps one of the two
    sent = await page.evaluate("new URLSearchParams(new FormData(document.getElementById('batch-form'))).toString()")
    await page.click("#batch-send")
    await expect(page.locator("#batch-summary")).to_have_text(
        "Proposals sent: 1; accepted, awaiting approval: 1; refused: 0.")
    await expect(page.locator("#batch-results")).to_contain_text("李小花 → 王芳")
    await site.shot(page, "pairing-7-batch-sent-en", twin=False)
    again = await page.evaluate("""body => fetch('/r/440105000000/pairing/batch', {method: 'POST', body,
        headers: {'Content-Type': 'application/x-www-form-urlencoded'}}).then(reply => reply.text())""", sent)
    assert "accepted, awaiting approval: 0; refused: 1." in again  # the same form sent twice proposes once
    assert "That has already been done." in again
    await catch_up(site.projector, site.event_log)
    waiting = await site.http.get("/regions/440105/proposals", headers=headers)
    assert [p["children"][0]["child_id"] for p in waiting.json()["proposals"]] == ["c-hz"]


async def test_a_viewer_sees_ids_only_and_no_action(site: Site, browser) -> None:
    await command(site, "haizhu", "propose_pair", pair_id="P-new", child_ids=[NEW], volunteer_ids=["v-hz"])
    page = await new_page(browser, width=390)  # on a phone
    await sign_in(page, site, "viewer")
    await page.click("#open-pairing")
    await expect(page.locator("#ids-only")).to_have_text("仅显示编号：您的角色不能查看儿童的姓名、性别和年龄。")
    await expect(page.locator(f"#child-{NEW}")).to_contain_text("结对提议待审批")
    await expect(page.locator(f"#child-{NEW} .id")).to_have_text(f"编号 {NEW}")  # as the work lists show one
    body = await page.locator("body").inner_text()
    assert "周小雨" not in body and "李小花" not in body and "14 岁" not in body
    for action in ("a.suggest", "#open-batch", "form[action*='/pairing/']"):
        await expect(page.locator(action)).to_have_count(0)
    await site.shot(page, "pairing-8-viewer-list-zh")
    await page.goto(site.url + "/r/440105/pairing/batch?within=440105")
    await expect(page.locator("#batch-proposals > li")).to_have_count(1)  # a preview is a reading
    await expect(page.locator("#batch-unmatched")).to_have_count(0)  # 周小雨 awaits approval already
    await expect(page.locator("#batch-send, input[name=pick], #preview-title ~ .notice")).to_have_count(0)
    await expect(page.locator("#batch-proposals .id").first).to_have_text("编号 c-hz")
    assert "李小花" not in await page.locator("body").inner_text()
    await site.shot(page, "pairing-9a-viewer-batch-zh")
    await page.goto(site.url + "/r/440105/approvals")
    await expect(page.locator(".proposal")).to_have_count(1)
    await expect(page.locator(".proposal button, .proposal form")).to_have_count(0)
    await expect(page.locator(".proposal h2 .id").first).to_have_text(f"编号 {NEW}")  # a short number, as elsewhere
    await expect(page.locator(f'.proposal a[href="/child/{NEW}"]')).to_have_count(0)  # and no file to open
    assert "周小雨" not in await page.locator("body").inner_text()
    await site.shot(page, "pairing-9-viewer-approvals-zh")
