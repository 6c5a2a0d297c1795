"""The monthly submission on the workbench, in Chromium, against the platform of
tests/e2e/test_dashboard.py (the services' clock on 1 June 2026, so May is over): Haizhu district's
caseworker opens the page from her home page and submits May; Guangzhou's approver sees it waiting
among the city's districts, returns it with a reason; the district sees the reason and submits again;
the city accepts it, and May then shows as accepted and locked on both pages, in Chinese; the city's
work list names the districts late with a month."""

from __future__ import annotations

import pytest

from contracts.accounts import Role
from tests.e2e import test_dashboard
from tests.e2e.test_dashboard import Site, browser, sign_in  # noqa: F401  (the fixture)
from tests.log.projection_cases import catch_up

from playwright.async_api import expect  # noqa: E402  (test_dashboard skips without one)

MORE = {"guangzhou": ("4401", Role.approver)}


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch):
    async with test_dashboard.serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc,
                                      accounts_of={**test_dashboard.ACCOUNTS, **MORE}) as running:
        yield running


async def fresh(site: Site, page) -> None:
    """The read models caught up with what was just sent, and the page read again."""
    await catch_up(site.projector, site.event_log)
    await page.reload()


async def test_a_district_submits_may_the_city_returns_it_then_accepts_it(site: Site, browser) -> None:
    district = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    city = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(district, site, "haizhu")
    await district.click("#open-submissions")
    await expect(district.locator("h1")).to_have_text("数据上报")
    await district.select_option("#submit-month", "2026-05")
    await district.click("#submit-month-button")
    await expect(district.locator("#submissions-done")).to_contain_text("已报送")
    await fresh(site, district)
    await expect(district.locator("#month-2026-05")).to_contain_text("待审核")
    await site.shot(district, "30-submission-sent")

    await sign_in(city, site, "guangzhou")
    await city.goto(site.url + "/r/4401/submissions?month=2026-05")
    await expect(city.locator("#sub-440105")).to_contain_text("待审核")
    await city.fill("#reason-440105", "走访次数与台账不符，请核对")
    await city.click("#return-440105")
    await expect(city.locator("#submissions-done")).to_contain_text("已退回")
    await fresh(site, city)
    await expect(city.locator("#sub-440105")).to_contain_text("走访次数与台账不符")

    await district.goto(site.url + "/r/440105/submissions?month=2026-05")
    await expect(district.locator("#month-2026-05")).to_contain_text("已退回")
    await expect(district.locator("#month-2026-05")).to_contain_text("走访次数与台账不符，请核对")
    await district.select_option("#submit-month", "2026-05")
    await district.click("#submit-month-button")
    await expect(district.locator("#submissions-done")).to_be_visible()

    await fresh(site, city)
    await city.click("#accept-440105")
    await expect(city.locator("#submissions-done")).to_contain_text("已审核通过")
    await fresh(site, city)
    await expect(city.locator("#sub-440105")).to_contain_text("已通过（已锁定）")
    await site.shot(city, "31-submission-accepted")
    await fresh(site, district)
    await expect(district.locator("#month-2026-05")).to_contain_text("已通过（已锁定）")
    await expect(district.locator("#month-steps li")).to_have_count(4)
    await expect(district.locator("#submit-month option[value='2026-05']")).to_have_count(0)  # locked
    # the city's work list of late sub-offices (the last three months over on the API's own day)
    await city.goto(site.url + "/r/4401")
    await city.click(".lists a[href$='/work/late']")
    await expect(city.locator("h1")).to_have_text("逾期未上报的下级单位")
    await expect(city.locator("#work-list")).to_contain_text("从化区")
    await district.goto(site.url + "/r/440105/work/late")  # a district's towns are welcome, not awaited: none late
    await expect(district.locator(".pager")).to_contain_text("第 1 页")
    await expect(district.locator("#work-list")).to_have_count(0)  # an empty list has no table


async def test_a_refusal_is_shown_with_its_reason(site: Site, browser) -> None:
    page = await (await browser.new_context()).new_page()
    await sign_in(page, site, "haizhu")
    await page.goto(site.url + "/r/440105/submissions?month=2026-05")
    await page.fill("#explanations", "510623 不是下级")
    await page.select_option("#submit-month", "2026-05")
    await page.click("#submit-month-button")
    await expect(page.locator("#submissions-error")).to_contain_text("510623")
