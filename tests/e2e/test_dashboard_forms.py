"""The dashboard's acting pages in a real browser, against the platform of tests/e2e/test_dashboard.py
(its fixture, with an approver and an account that both proposes and approves in 海珠区, and the
pending-proposals route): an approver approves a caseworker's proposal and it leaves her list; the
proposer's own approval is refused in Chinese; a child is registered through the form, a bad ID
number refused next to its field with what was typed kept; the open concerns list; a visit logged
(a duration refused next to its field first, what was typed kept) while her open home's monthly
activities chart follows it live; a wish submitted after a refused cost."""

from __future__ import annotations

import asyncio
import re

import pytest

from contracts.accounts import Role
from tests.e2e import test_dashboard
from tests.e2e.test_dashboard import HERS, Site, browser, sign_in  # noqa: F401 (the fixture, reused)
from tests.log.projection_cases import catch_up

from playwright.async_api import expect  # noqa: E402  (test_dashboard skips without one)

MORE = {"approver": ("440105", Role.approver), "both": ("440105", (Role.caseworker, Role.approver))}


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch):
    """test_dashboard's platform with more accounts."""
    async with test_dashboard.serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc,
                                      accounts_of={**test_dashboard.ACCOUNTS, **MORE}) as running:
        yield running


async def command(site: Site, who: str, command_name: str, context: str = "pairing", **body) -> None:
    headers = await test_dashboard.bearer(site.http, who)
    reply = await site.http.post(f"/commands/{context}/{command_name}", headers=headers, json=body)
    assert reply.status_code == 201, reply.text
    await catch_up(site.projector, site.event_log)


async def test_an_approver_approves_a_caseworkers_proposal_and_the_proposer_may_not(site: Site, browser) -> None:
    await command(site, "nation", "recruit_volunteer", "intake", volunteer_id="v-hz", region=HERS, name="王芳",
                  sex="female", kind="mother", capacity=5)
    await command(site, "nation", "record_training", "intake", topic="minors_protection_law", held_on="2026-05-02",
                  volunteer_ids=["v-hz"])
    await command(site, "haizhu", "propose_pair", pair_id="P-hz", child_ids=["c-hz"], volunteer_ids=["v-hz"])
    await site.register("c-hz-3", HERS, "赵小月")
    await command(site, "both", "propose_pair", pair_id="P-own", child_ids=["c-hz-3"], volunteer_ids=["v-hz"])

    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "both")  # her own proposal: refused, in Chinese, and it stays
    await page.click("#open-approvals")
    await expect(page.locator("h1")).to_have_text("待审批的结对")
    await page.click("#proposal-P-own button.approve")
    await expect(page.locator("#approvals-error")).to_contain_text("提议人不能审批自己提出的结对")
    await expect(page.locator("#proposal-P-own")).to_have_count(1)
    await site.shot(page, "6-own-proposal-refused", twin=False)

    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "approver")
    await page.goto(site.url + "/r/440105/approvals")
    await expect(page.locator(".proposal")).to_have_count(2)
    await expect(page.locator("#proposal-P-hz")).to_contain_text("李小花")  # named: she is an approver
    await site.shot(page, "7-approvals")
    await page.click("#proposal-P-hz a.pair-link")  # the pair's own timeline, linked from the list
    await expect(page.locator("h1")).to_contain_text("一对一结对")  # by its mode and people, not its id
    await expect(page.locator(".member-child")).to_have_text("李小花")
    await expect(page.locator("#timeline li")).to_have_count(1)
    await expect(page.locator("#timeline h2").first).to_have_text("提议结对")
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


async def test_registering_a_child_keeps_what_was_typed_when_refused(site: Site, browser) -> None:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "haizhu")
    await expect(page.locator('[data-live="kpi:children"]')).to_have_text("1")
    await page.click("#open-register-child")
    await expect(page.locator("h1")).to_have_text("登记儿童")
    await page.fill("#f-name", "周小雪")
    await page.select_option("#f-sex", "female")
    await page.fill("#f-birth_date", "2013-09-01")
    await page.select_option("#f-category", "left_behind")
    await page.select_option("#f-region", HERS)  # her community, chosen by name among her district's
    await expect(page.locator("#f-region option:checked")).to_have_text("下渡社区居委会")
    await page.fill("#f-id_number", "4401051234")
    await page.click("#form-register-child button[type=submit]")
    await expect(page.locator("#e-id_number")).to_have_text("身份证号应为18位：17位数字加1位数字或X。")
    await expect(page.locator("#f-id_number")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-name")).to_have_value("周小雪")
    await expect(page.locator("#f-sex")).to_have_value("female")
    await expect(page.locator("#f-id_number")).to_have_value("4401051234")
    await site.shot(page, "9-register-refused", twin=False)

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
    # The notice names whom it was for and links her file; the new concern's id is no word of it.
    await expect(page.locator("#form-done-link")).to_have_text("查看李小花的档案")
    await expect(page.locator("#form-done-link")).to_have_attribute("href", "/child/c-hz")
    assert not re.search(r"[0-9a-f]{32}", await page.inner_text("#form-done"))
    await catch_up(site.projector, site.event_log)
    await page.goto(site.url + "/r/440105/work/concerns")
    await expect(page.locator("h1")).to_have_text("关爱个案")
    await expect(page.locator("#work-list")).to_contain_text("c-hz")
    await site.shot(page, "11-open-concerns")


ACTIVITIES = ("echarts.getInstanceByDom(document.getElementById('chart-activities')).getOption().series"
              ".reduce((sum, s) => sum + s.data.reduce((a, v) => a + (typeof v === 'object' ? v.value : v), 0), 0)")


async def active_pair(site: Site, pair_id: str) -> None:
    """A trained volunteer paired with her child c-hz: proposed by her caseworker, approved."""
    await command(site, "nation", "recruit_volunteer", "intake", volunteer_id="v-visit", region=HERS, name="陈静",
                  sex="female", kind="mother", capacity=5)
    await command(site, "nation", "record_training", "intake", topic="minors_protection_law", held_on="2026-05-02",
                  volunteer_ids=["v-visit"])
    await command(site, "haizhu", "propose_pair", pair_id=pair_id, child_ids=["c-hz"], volunteer_ids=["v-visit"])
    await command(site, "approver", "approve_pair", pair_id=pair_id)


async def test_logging_a_visit_keeps_what_was_typed_and_the_monthly_chart_follows_live(site: Site, browser) -> None:
    await active_pair(site, "P-visit")
    home = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(home, site, "haizhu")  # her home stays open: its monthly chart is to move by itself
    await expect(home.locator("#live-status")).to_have_text("实时更新中")
    await expect(home.locator("#chart-activities canvas")).to_have_count(1)
    before = await home.evaluate(ACTIVITIES)

    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "haizhu")
    await page.click("#open-log-visit")
    await expect(page.locator("h1")).to_have_text("记录走访")
    await page.fill("#f-pair_id", "P-visit")
    await page.select_option("#f-kind", "home_visit")
    await page.fill("#f-visited_on", "2026-06-01")  # the services' clock (tests/conftest.py): the day the pair formed
    await page.fill("#f-duration_minutes", "0")
    await page.fill("#f-note", "孩子学习情况良好")
    await page.click("#form-log-visit button[type=submit]")
    await expect(page.locator("#e-duration_minutes")).to_have_text("数值太小。")  # refused, said next to it
    await expect(page.locator("#f-duration_minutes")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-pair_id")).to_have_value("P-visit")
    await expect(page.locator("#f-kind")).to_have_value("home_visit")
    await expect(page.locator("#f-visited_on")).to_have_value("2026-06-01")
    await expect(page.locator("#f-note")).to_have_value("孩子学习情况良好")
    await site.shot(page, "13-visit-refused", twin=False)

    await page.fill("#f-duration_minutes", "45")
    await page.click("#form-log-visit button[type=submit]")
    await expect(page.locator("#form-done")).to_contain_text("已提交成功")
    await expect(page.locator(".field-error")).to_have_count(0)
    await site.shot(page, "14-visit-logged")
    await catch_up(site.projector, site.event_log)
    for _ in range(100):  # live, no reload (polled from here: the page's CSP forbids eval)
        if await home.evaluate(ACTIVITIES) == before + 1:
            break
        await asyncio.sleep(0.1)
    assert await home.evaluate(ACTIVITIES) == before + 1, "the monthly chart did not follow the visit"
    await site.shot(home, "15-home-activities-live")

    await page.goto(site.url + "/pair/P-visit")  # the visit on the pair's timeline, by its label
    await expect(page.locator("#timeline h2[data-type=VisitLogged]")).to_have_text("记录走访")


async def test_submitting_a_wish_keeps_what_was_typed_when_refused(site: Site, browser) -> None:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "haizhu")
    await page.click("#open-submit-wish")
    await expect(page.locator("h1")).to_have_text("提交微心愿")
    await page.fill("#f-child_id", "c-hz")
    await page.fill("#f-item", "新书包")
    await page.select_option("#f-category", "study")
    await page.fill("#f-estimated_cost_yuan", "-5")
    await page.click("#form-submit-wish button[type=submit]")
    await expect(page.locator("#e-estimated_cost_yuan")).to_have_text("数值太小。")
    await expect(page.locator("#f-estimated_cost_yuan")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-child_id")).to_have_value("c-hz")
    await expect(page.locator("#f-item")).to_have_value("新书包")
    await expect(page.locator("#f-category")).to_have_value("study")
    await site.shot(page, "16-wish-refused", twin=False)

    await page.fill("#f-estimated_cost_yuan", "120")
    await page.click("#form-submit-wish button[type=submit]")
    await expect(page.locator("#form-done")).to_contain_text("已提交成功")
    await site.shot(page, "17-wish-submitted")
    await catch_up(site.projector, site.event_log)
    await page.goto(site.url + "/r/440105")  # her home counts it among the open wishes
    await expect(page.locator('[data-live="kpi:wishes_open"]')).to_have_text("1", timeout=10_000)
