"""最美爱心妈妈 on the workbench, in Chromium, against the platform of tests/e2e/test_dashboard.py (the
services' clock on 1 June 2026): Haizhu district's caseworker opens the page from her home page and
nominates her volunteer, whose record of the year shows beside her name; a second nomination is
refused with its reason; Guangzhou's approver awards her from the city's page, in Chinese and in
English; the volunteer's page then carries the badge 「最美爱心妈妈 2026」 and tells the award."""

from __future__ import annotations

import pytest

from contracts.accounts import Role
from tests.e2e import test_dashboard
from tests.e2e.test_dashboard import Site, browser, sign_in  # noqa: F401  (the fixture)
from tests.e2e.test_dashboard_forms import active_pair
from tests.log.projection_cases import catch_up

from playwright.async_api import expect  # noqa: E402  (test_dashboard skips without one)

MORE = {"approver": ("440105", Role.approver), "guangzhou": ("4401", Role.approver)}
ROW = "#nomination-2026-v-visit"


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch):
    async with test_dashboard.serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc,
                                      accounts_of={**test_dashboard.ACCOUNTS, **MORE}) as running:
        yield running


async def fresh(site: Site, page) -> None:
    await catch_up(site.projector, site.event_log)
    await page.reload()


async def test_a_district_nominates_her_volunteer_and_the_city_awards_her(site: Site, browser) -> None:
    await active_pair(site, "P-rec")  # 陈静 (v-visit) cares for 李小花
    await catch_up(site.projector, site.event_log)
    district = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(district, site, "haizhu")
    await expect(district.locator("#open-recognition")).to_have_text("最美爱心妈妈")
    await district.goto(site.url + "/r/440105/recognition?year=2026")
    await expect(district.locator("h1")).to_contain_text("最美爱心妈妈")
    await district.fill("#volunteer_id", "v-visit")
    await district.click("#nominate-form button[type=submit]")
    await expect(district.locator("#recognition-done")).to_contain_text("已提名")
    await fresh(site, district)
    await expect(district.locator(ROW)).to_contain_text("陈静")
    await expect(district.locator(ROW)).to_contain_text("待评审")
    await expect(district.locator(f"{ROW} td").nth(2)).to_have_text("1")  # her one pair
    await expect(district.locator("#award-2026-v-visit")).to_have_count(0)  # a district does not review
    await district.fill("#volunteer_id", "v-visit")
    await district.click("#nominate-form button[type=submit]")
    await expect(district.locator("#recognition-error")).to_have_text("该志愿者本年度已被提名：每位志愿者每年只能提名一次。")
    await site.shot(district, "40-recognition-nominated")

    city = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(city, site, "guangzhou")
    await city.goto(site.url + "/lang/en?next=/r/4401/recognition?year=2026")
    await expect(city.locator(ROW)).to_contain_text("Waiting for review")
    await expect(city.locator("#nominate-form")).to_have_count(0)  # a city does not nominate
    await city.click("#award-2026-v-visit")
    await expect(city.locator("#recognition-done")).to_have_text("Awarded 最美爱心妈妈.")
    await fresh(site, city)
    await expect(city.locator(ROW)).to_contain_text("Awarded (广州市, city level")
    await expect(city.locator("#recognition-counts tbody td")).to_have_text(["city", "1", "0", "1"])
    await site.shot(city, "41-recognition-awarded")

    await district.goto(site.url + "/volunteer/v-visit")
    await expect(district.locator("#award-2026")).to_have_text("最美爱心妈妈 2026")
    await expect(district.locator("main")).to_contain_text("陈静获评 2026 年度最美爱心妈妈（广州市，市级）")
    await expect(district.locator("main")).to_contain_text("海珠区提名陈静为 2026 年度最美爱心妈妈")
