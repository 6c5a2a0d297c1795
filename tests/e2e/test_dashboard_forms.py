"""The dashboard's acting pages in a real browser, against the platform of tests/e2e/test_dashboard.py
(its fixture, with an approver and an account that both proposes and approves in 海珠区, and the
pending-proposals route): an approver approves a caseworker's proposal and it leaves her list; the
proposer's own approval is refused in Chinese; a child is registered through the form, a bad ID
number refused next to its field with what was typed kept; the open concerns list."""

from __future__ import annotations

import pytest

from contracts.accounts import Role
from tests.e2e import test_dashboard
from tests.e2e.test_dashboard import ARGS, CHROMIUM, HERS, Site, sign_in
from tests.log.projection_cases import catch_up

from playwright.async_api import async_playwright, expect  # noqa: E402  (test_dashboard skips without one)

MORE = {"approver": ("440105", Role.approver), "both": ("440105", (Role.caseworker, Role.approver))}


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch):
    """test_dashboard's platform with more accounts."""
    async with test_dashboard.serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc,
                                      accounts_of={**test_dashboard.ACCOUNTS, **MORE}) as running:
        yield running


@pytest.fixture
async def chromium():
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


async def command(site: Site, who: str, command_name: str, context: str = "pairing", **body) -> None:
    headers = await test_dashboard.bearer(site.http, who)
    reply = await site.http.post(f"/commands/{context}/{command_name}", headers=headers, json=body)
    assert reply.status_code == 201, reply.text
    await catch_up(site.projector, site.event_log)


async def test_an_approver_approves_a_caseworkers_proposal_and_the_proposer_may_not(site: Site, chromium) -> None:
    await command(site, "nation", "recruit_volunteer", "intake", volunteer_id="v-hz", region=HERS, name="王芳",
                  sex="female", kind="mother", capacity=5)
    await command(site, "nation", "record_training", "intake", topic="minors_protection_law", held_on="2026-05-02",
                  volunteer_ids=["v-hz"])
    await command(site, "haizhu", "propose_pair", pair_id="P-hz", child_ids=["c-hz"], volunteer_ids=["v-hz"])
    await site.register("c-hz-3", HERS, "赵小月")
    await command(site, "both", "propose_pair", pair_id="P-own", child_ids=["c-hz-3"], volunteer_ids=["v-hz"])

    page = await (await chromium.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "both")  # her own proposal: refused, in Chinese, and it stays
    await page.click("#open-approvals")
    await expect(page.locator("h1")).to_have_text("待审批的结对")
    await page.click("#proposal-P-own button.approve")
    await expect(page.locator("#approvals-error")).to_contain_text("提议人不能审批自己提出的结对")
    await expect(page.locator("#proposal-P-own")).to_have_count(1)
    await site.shot(page, "6-own-proposal-refused")

    page = await (await chromium.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "approver")
    await page.goto(site.url + "/r/440105/approvals")
    await expect(page.locator(".proposal")).to_have_count(2)
    await expect(page.locator("#proposal-P-hz")).to_contain_text("李小花")  # named: she is an approver
    await site.shot(page, "7-approvals")
    await page.click("#proposal-P-hz a.pair-link")  # the pair's own timeline, linked from the list
    await expect(page.locator("h1")).to_have_text("结对 P-hz 的时间线")
    await expect(page.locator("#timeline li")).to_have_count(1)
    await expect(page.locator("#timeline h2").first).to_have_text("PairProposed")
    await expect(page.locator('main a[href="/child/c-hz"]')).to_have_count(1)
    await site.shot(page, "7b-pair-timeline")
    await page.go_back()
    await page.click("#proposal-P-hz button.approve")
    await expect(page.locator("#approvals-done")).to_have_text("已批准该结对。")
    await expect(page.locator("#proposal-P-hz")).to_have_count(0)
    await catch_up(site.projector, site.event_log)
    await page.reload()
    await expect(page.locator("#proposal-P-hz")).to_have_count(0)  # the read model agrees
    await page.select_option("#reason-P-own", "better_match")
    await page.click("#proposal-P-own button.reject")
    await expect(page.locator("#approvals-done")).to_have_text("已驳回该结对。")
    await expect(page.locator("#approvals-empty")).to_have_text("没有待审批的结对。")
    await site.shot(page, "8-approved-and-rejected")
    await page.goto(site.url + "/r/440105")  # a pair now active: its five-ones compliance is charted
    await expect(page.locator("#chart-compliance canvas")).to_have_count(1)
    await expect(page.locator("#figure-compliance")).to_be_visible()
    await site.shot(page, "8b-home-with-compliance")


async def test_registering_a_child_keeps_what_was_typed_when_refused(site: Site, chromium) -> None:
    page = await (await chromium.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "haizhu")
    await expect(page.locator('[data-live="kpi:children"]')).to_have_text("1")
    await page.click("#open-register-child")
    await expect(page.locator("h1")).to_have_text("登记儿童")
    await page.fill("#f-name", "周小雪")
    await page.select_option("#f-sex", "female")
    await page.fill("#f-birth_date", "2013-09-01")
    await page.select_option("#f-category", "left_behind")
    await page.fill("#f-region", HERS)
    await page.fill("#f-id_number", "4401051234")
    await page.click("#form-register-child button[type=submit]")
    await expect(page.locator("#e-id_number")).to_have_text("身份证号应为18位：17位数字加1位数字或X。")
    await expect(page.locator("#f-id_number")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-name")).to_have_value("周小雪")
    await expect(page.locator("#f-sex")).to_have_value("female")
    await expect(page.locator("#f-id_number")).to_have_value("4401051234")
    await site.shot(page, "9-register-refused")

    await page.fill("#f-id_number", "440105201309010022")  # the service checks the check digit too
    await page.click("#form-register-child button[type=submit]")
    await expect(page.locator("#e-id_number")).to_have_text("身份证号校验位不正确，请核对。")
    await expect(page.locator("#f-name")).to_have_value("周小雪")
    await page.fill("#f-id_number", "440105201309010021")
    await page.click("#form-register-child button[type=submit]")
    await expect(page.locator("#form-done")).to_contain_text("已提交成功")
    await expect(page.locator(".field-error")).to_have_count(0)
    await site.shot(page, "10-registered")
    await page.goto(site.url + "/r/440105")
    await expect(page.locator('[data-live="kpi:children"]')).to_have_text("2", timeout=10_000)

    await page.goto(site.url + "/r/440105/forms/raise-concern")  # a missing field: said next to it
    await page.fill("#f-child_id", "c-hz")
    await page.select_option("#f-kind", "schooling")
    await page.click("#form-raise-concern button[type=submit]")
    await expect(page.locator("#e-note")).to_have_text("此项必填。")
    await expect(page.locator("#f-child_id")).to_have_value("c-hz")
    await page.fill("#f-note", "近期多次缺课")
    await page.fill("#f-raised_on", "2026-05-10")
    await page.click("#form-raise-concern button[type=submit]")
    await expect(page.locator("#form-done")).to_be_visible()
    await catch_up(site.projector, site.event_log)
    await page.goto(site.url + "/r/440105/work/concerns")
    await expect(page.locator("h1")).to_have_text("关爱个案")
    await expect(page.locator("#work-list")).to_contain_text("c-hz")
    await site.shot(page, "11-open-concerns")
