"""Nantong's 通报 for May through the HTTP API and in a real browser, the services, read models and
pages in process on a real nats-server: three districts submit their month (崇川 on time with its
child paired, 通州 on time with none of its children paired, 海门 four days late), the rest do not;
the city sets its thresholds; its bulletin ranks and cards them in JSON, in the workbook and on the
workbench page, each card a coloured badge. Each page is photographed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from contracts.accounts import Role
from tests.e2e.test_dashboard import ACCOUNTS as SITE_ACCOUNTS, Site, browser, serving, sign_in  # noqa: F401
from tests.e2e.test_http_api import bearer
from tests.log.care_cases import FakeClock
from tests.log.projection_cases import catch_up

from playwright.async_api import expect  # noqa: E402  (test_dashboard skipped the module without a browser)

CHONGCHUAN, TONGZHOU, HAIMEN = "320613", "320612", "320614"
VILLAGE = {CHONGCHUAN: "320613001001", TONGZHOU: "320612001001", HAIMEN: "320614102001"}
ACCOUNTS = {**SITE_ACCOUNTS, "nantong": ("3206", (Role.caseworker, Role.approver)),
            **{f"d{code}": (code, Role.caseworker) for code in VILLAGE}}


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch):
    async with serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc, accounts_of=ACCOUNTS) as running:
        yield running


async def post(site: Site, who: str, command: str, **body) -> dict:
    context = "reporting" if command in ("submit_month", "set_card_thresholds") else \
        "pairing" if command == "form_pair" else "activity" if command == "log_visit" else "intake"
    reply = await site.http.post(f"/commands/{context}/{command}", json=body,
                                 headers=site.nation if who == "nation" else await bearer(site.http, who))
    assert reply.status_code == 201, (command, reply.text)
    return reply.json()


async def may(site: Site, deps) -> None:
    """Children registered in May (sixteen: no consent needed to pair them), 崇川's and 海门's paired
    and called in May."""
    clock = FakeClock(date(2026, 5, 10))
    deps.clock = clock
    for code, children in ((CHONGCHUAN, 1), (TONGZHOU, 2), (HAIMEN, 1)):
        for n in range(children):
            await post(site, "nation", "register_child", child_id=f"c-{code}-{n}", region=VILLAGE[code],
                       name="李小花", sex="female", birth_date="2010-03-08", category="left_behind")
    for code in (CHONGCHUAN, HAIMEN):
        await post(site, "nation", "recruit_volunteer", volunteer_id=f"v-{code}", region=VILLAGE[code], name="王芳",
                   sex="female", kind="mother")
        await post(site, "nation", "record_training", topic="minors_protection_law", held_on="2026-05-10",
                   volunteer_ids=[f"v-{code}"])
        await post(site, "nation", "form_pair", pair_id=f"p-{code}", child_ids=[f"c-{code}-0"],
                   volunteer_ids=[f"v-{code}"])
    clock.set(date(2026, 5, 25))
    for code in (CHONGCHUAN, HAIMEN):  # May's call: the five ones kept for the month
        await post(site, "nation", "log_visit", pair_id=f"p-{code}", kind="phone_call", visited_on="2026-05-24",
                   duration_minutes=20)
    await catch_up(site.projector, site.event_log)
    for day, code in ((date(2026, 6, 1), CHONGCHUAN), (date(2026, 6, 5), TONGZHOU), (date(2026, 6, 9), HAIMEN)):
        clock.set(day)
        await post(site, f"d{code}", "submit_month", office=code, month="2026-05")
    await post(site, "nantong", "set_card_thresholds", office="3206", from_month="2026-05", coverage_yellow=90,
               coverage_red=50)
    await catch_up(site.projector, site.event_log)


async def test_the_city_s_bulletin_ranks_its_districts_with_cards_over_http_in_a_workbook_and_on_its_page(
        site: Site, deps, browser) -> None:  # noqa: F811
    await may(site, deps)
    city = await bearer(site.http, "nantong")
    found = (await site.http.get("/regions/3206/bulletin", params={"month": "2026-05"}, headers=city)).json()
    ranked = [(r["rank"], r["region"], r["card"]) for r in found["rows"]]
    assert ranked[:3] == [(1, CHONGCHUAN, None), (2, HAIMEN, "yellow"), (3, TONGZHOU, "red")], ranked
    assert {r["region"]: r["cards"][0]["reason"] for r in found["rows"][1:]}[TONGZHOU] == "below_red"
    assert all(r["card"] == "red" and r["cards"][0]["reason"] == "not_submitted" for r in found["rows"][3:])
    assert (found["thresholds_of"], found["counts"]) == ("3206", {"blue": 0, "yellow": 1, "red": 6})
    # Any role of the city or above reads it; a district reads not its city's, and a village has none.
    viewer = await bearer(site.http, f"d{HAIMEN}")
    assert (await site.http.get("/regions/3206/bulletin", params={"month": "2026-05"}, headers=viewer)).status_code == 403
    refused = await site.http.get(f"/regions/{VILLAGE[HAIMEN]}/bulletin", params={"month": "2026-05"}, headers=city)
    assert refused.status_code == 422 and "supervises no sub-office" in refused.json()["message"]
    for month, why in (("2026-13", "string should match pattern"), ("0000-01", "before 2000-01"),
                       ("2999-01", "has not begun")):
        refused = await site.http.get("/regions/3206/bulletin", params={"month": month}, headers=city)
        assert refused.status_code == 422 and why in refused.text.lower(), (month, refused.text)

    book = await site.http.get("/regions/3206/bulletin.xlsx", params={"month": "2026-05"}, headers=city)
    assert book.status_code == 200 and 'filename="aixin-bulletin-3206-2026-05.xlsx"' in book.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(book.content))["通报"]
    assert [sheet.cell(row, 3).value for row in (3, 4, 5)] == ["崇川区", "海门区", "通州区"]
    assert [sheet.cell(row, 5).value for row in (3, 4, 5)] == ["—", "黄牌", "红牌"]
    assert sheet.cell(4, 14).value == "迟报4天"

    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    await sign_in(page, site, "nantong")
    await page.click("#open-bulletin")
    await expect(page.locator("h1")).to_contain_text("南通市")
    await expect(page.locator("#bulletin-month")).to_have_value(page_month(date.today()))
    await page.select_option("#bulletin-month", "2026-05")
    await page.click("#bulletin-show")
    await expect(page.locator("#bulletin tbody tr")).to_have_count(8)
    await expect(page.locator(f"#bulletin-{HAIMEN} .card-yellow")).to_have_text("黄牌")
    await expect(page.locator(f"#bulletin-{TONGZHOU} .card-red")).to_have_text("红牌")
    await expect(page.locator(f"#bulletin-{TONGZHOU}")).to_contain_text("结对覆盖率0%，低于红牌线50%")
    await expect(page.locator("#bulletin-whose")).to_have_text("阈值由南通市设定。")
    colour = await page.locator(f"#bulletin-{TONGZHOU} .card-red").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(253, 226, 226)"  # the red tier's badge
    await site.shot(page, "bulletin-zh")
    async with page.expect_download() as download:
        await page.click("#bulletin-xlsx")
    assert (await download.value).suggested_filename == "aixin-bulletin-3206-2026-05.xlsx"
    await page.click("#lang-switch")
    await expect(page.locator(f"#bulletin-{HAIMEN}")).to_contain_text("submitted 4 days late")
    await site.shot(page, "bulletin-en")
    await page.set_viewport_size({"width": 390, "height": 844})  # on a phone: the table scrolls in its frame
    await page.goto(f"{site.url}/r/3206/bulletin?month=2026-05")
    await expect(page.locator(f"#bulletin-{TONGZHOU} .card-red")).to_be_visible()
    await site.shot(page, "bulletin-phone-en")
    await context.close()


def page_month(today: date) -> str:
    """The month the page opens on: the one before this."""
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year:04d}-{today.month - 1:02d}"
