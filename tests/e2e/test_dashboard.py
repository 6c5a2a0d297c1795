"""The dashboard in a real browser (Debian's chromium, driven by Playwright) against a platform in
process: a real nats-server, the command services, the read models and the HTTP API served by
uvicorn on a free port. A caseworker of 海珠区 (440105) signs in, sees her district's figures in
Chinese and nothing of 从化区 (440117), drills down, reads a child's timeline, switches to English
on a phone, and watches a figure change live after a command. Each test saves a screenshot."""

from __future__ import annotations

import asyncio
import os
from datetime import date
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from io import BytesIO

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from openpyxl import load_workbook

from contracts.accounts import Role
from services.accounts import passwords
from services.platform.web import COMMAND_ROUTES, create_app
from services.dashboard.view import previous_month_end
from services.projections import all_projections
from services.shared.db import make_engine
from services.shared.endpoints import command_broker, command_router
from services.shared.follower.projector import Projector
from tests.e2e.test_http_api import PASSWORD, add_account, bearer, with_accounts
from tests.log.projection_cases import catch_up, running
from tests.e2e.screenshots import photograph, screenshot_folder

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
HERS, OTHER = "440105001101", "440117001001"  # communities of 海珠区 and of 从化区
STREET = "440105001000"  # the street of her community
ELSEWHERE = "440105002101"  # a community of another street of her district
ACCOUNTS = {"haizhu": ("440105", Role.caseworker), "conghua": ("440117", Role.caseworker),
            "nation": ("CN", Role.caseworker)}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing, and under CI the browser tests must run", pytrace=False)
    pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)

from playwright.async_api import Page, async_playwright, expect  # noqa: E402  (after the skip)


@dataclass
class Site:
    url: str
    http: httpx.AsyncClient
    nation: dict[str, str]
    projector: Projector
    event_log: object
    shots: Path

    async def register(self, child_id: str, community: str, name: str) -> None:
        reply = await self.http.post("/commands/intake/register_child", headers=self.nation, json={
            "child_id": child_id, "region": community, "name": name, "sex": "female",
            "birth_date": "2012-03-08", "category": "left_behind"})
        assert reply.status_code == 201, reply.text
        await catch_up(self.projector, self.event_log)

    async def assess(self, child_id: str, tier: str) -> None:
        reply = await self.http.post("/commands/activity/assess_risk", headers=self.nation,
                                     json={"child_id": child_id, "tier": tier, "reason": "父母外出务工"})
        assert reply.status_code == 201, reply.text
        await catch_up(self.projector, self.event_log)

    async def shot(self, page: Page, name: str, *, twin: bool = True) -> Path:
        """The page photographed, and (with `twin`) beside it in the other language."""
        return await photograph(page, self.shots, name, twin=twin)


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch) -> AsyncIterator[Site]:
    async with serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc) as running:
        yield running


@asynccontextmanager
async def serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc, accounts_of=ACCOUNTS,
                  extend: Callable[[FastAPI, object, object], None] | None = None) -> AsyncIterator[Site]:
    """The platform with the accounts `accounts_of` (username -> (office, role or roles)); `extend`
    adds routes to the API (given the API, the read database, the key store) before it serves."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    broker = command_broker(nats_server.url)
    for context, routes in COMMAND_ROUTES.items():
        broker.include_router(command_router(context, routes, deps))
    await broker.start()
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    accounts_db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'accounts.db'}")
    projector = Projector(event_log, db, all_projections())
    await projector.create_schema()
    api = create_app(nc, event_log, db, deps.keys)
    if extend:
        extend(api, db, deps.keys)
    accounts = await with_accounts(api, event_log, accounts_db, tmp_path)
    for username, (office, roles) in accounts_of.items():
        await add_account(accounts, username, office, *(roles if isinstance(roles, tuple) else (roles,)))
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=0, log_level="warning",
                                           timeout_graceful_shutdown=1))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    shots = screenshot_folder(tmp_path)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://aixin") as http, \
                running(projector):
            site = Site(f"http://127.0.0.1:{port}", http, await bearer(http, "nation"), projector, event_log, shots)
            await site.register("c-hz", HERS, "李小花")
            await site.register("c-ch", OTHER, "黄乐")
            await site.assess("c-hz", "red")
            await site.assess("c-ch", "red")
            yield site
    finally:
        server.should_exit = True
        await serving
        await broker.stop()
        await db.dispose()
        await accounts_db.dispose()


@pytest.fixture
async def browser():
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


async def sign_in(page: Page, site: Site, username: str) -> None:
    await page.goto(site.url + "/")
    await expect(page.locator("h1")).to_have_text("登录")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")  # the keyboard is enough
    await page.wait_for_url(f"{site.url}/r/**")


async def test_a_district_caseworker_sees_her_district_in_chinese_and_drills_down(site: Site, browser) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    await sign_in(page, site, "haizhu")
    cookie = next(c for c in await context.cookies() if c["name"] == "aixin_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    assert await page.evaluate("document.cookie.includes('aixin_session')") is False
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    await expect(page.locator("h1")).to_contain_text("海珠区")
    await expect(page.locator("#kpi-children .label")).to_have_text("在册儿童")
    await expect(page.locator('[data-live="kpi:children"]')).to_have_text("1")
    await expect(page.locator(".crumbs li")).to_have_count(1)  # her office, nothing above it
    await expect(page.locator("#chart-subregions canvas")).to_have_count(1)  # ECharts, from /static
    await home_charts_and_month_change(page, site)
    body = await page.locator("body").inner_text()
    assert "从化" not in body and "全国" not in body and "广东省" not in body
    await site.shot(page, "1-haizhu-home-zh", twin=False)

    await page.click(f'#subregions a[href="/r/{STREET}"]')
    await expect(page.locator(".crumbs li")).to_have_count(2)
    await expect(page.locator('[data-live="kpi:children"]')).to_have_text("1")
    await page.click(f'#subregions a[href="/r/{HERS}"]')
    await expect(page.locator(".crumbs li")).to_have_count(3)
    await expect(page.locator(".crumbs")).to_contain_text("海珠区")
    await site.shot(page, "2-haizhu-drilled-to-community")

    reply = await page.goto(site.url + "/r/440117")  # another district: refused, nothing shown
    assert reply.status == 403
    await expect(page.locator(".error")).to_contain_text("无权查看")
    assert "黄乐" not in await page.locator("body").inner_text()

    await page.goto(site.url + "/child/c-hz")
    await expect(page.locator("#timeline li")).to_have_count(2)
    await expect(page.locator("#timeline h2").last).to_have_text("登记儿童")  # the type by its label (newest first)
    await expect(page.locator("#timeline h2").last).to_have_attribute("data-type", "ChildRegistered")
    await expect(page.locator("#timeline time").first).to_contain_text("中国标准时间")  # China time, named
    await expect(page.locator("#timeline .actor").first).to_contain_text("nation")
    await expect(page.locator(".child-name")).to_contain_text("李小花")  # a caseworker sees her name
    await site.shot(page, "3-child-timeline")

    await work_lists(page, site)

    await page.goto(site.url + "/docs")  # Swagger UI from local assets
    await expect(page.locator(".swagger-ui .title").first).to_contain_text("aixin", timeout=10_000)
    assert hosts == {urlparse(site.url).netloc}, f"fetched from elsewhere: {hosts}"

    await page.goto(site.url + "/")
    await page.click("#sign-out")
    await expect(page.locator(".notice")).to_have_text("您已退出登录。")
    await page.goto(site.url + "/r/440105")
    await expect(page.locator("h1")).to_have_text("登录")
    # A token that no longer signs in (expired, or the account disabled): back to sign in, cookie gone.
    await context.add_cookies([{**cookie, "value": "expired-token"}])
    await page.goto(site.url + "/r/440105")
    await expect(page.locator(".notice")).to_have_text("登录已过期，请重新登录。")
    assert not [c for c in await context.cookies() if c["name"] == "aixin_session"]
    await context.close()


async def month_change(site: Site, key: str) -> int:
    """The figure now less the figure as of the last day of the previous month, read from the API."""
    headers = await bearer(site.http, "haizhu")
    now = (await site.http.get("/regions/440105/stats", headers=headers)).json()
    then = previous_month_end(date.fromisoformat(now["as_of"])).isoformat()
    return now[key] - (await site.http.get(f"/regions/440105/stats?as_of={then}", headers=headers)).json()[key]


async def home_charts_and_month_change(page: Page, site: Site) -> None:
    """Each KPI card says its change on the previous month; the charts whose data the figures hold
    are drawn (tiers named on the axis, not by colour alone), one without data is hidden."""
    await expect(page.locator("#kpi-children .change")).to_have_text(f"较上月 +{await month_change(site, 'children')}")
    for name in ("activities", "wishes", "tiers", "coverage", "subregions"):
        await expect(page.locator(f"#figure-{name}")).to_be_visible()
        await expect(page.locator(f"#chart-{name} canvas")).to_have_count(1)
    await expect(page.locator("#figure-compliance")).to_be_hidden()  # no pair yet: no compliance to show
    axis = "echarts.getInstanceByDom(document.getElementById('chart-tiers')).getOption().xAxis[0].data"
    assert "红色（最紧急）" in await page.evaluate(axis)
    drawn = "echarts.getInstanceByDom(document.getElementById('chart-tiers')).getOption().series[0].data"
    assert [bar["value"] for bar in await page.evaluate(drawn)][0] == 1  # her red-tier child


async def work_lists(page: Page, site: Site) -> None:
    """Every work list the running API offers opens from her home, and holds nothing of another district."""
    await page.goto(site.url + "/r/440105")
    links = await page.locator(".lists:not(.pages) a").evaluate_all("nodes => nodes.map(n => [n.href, n.textContent])")
    assert links, "no work list on the home page"
    for href, label in links:
        await page.goto(href)
        await expect(page.locator("h1")).to_have_text(label)
        await expect(page.locator(".pager")).to_contain_text("第 1 页")
        body = await page.locator("body").inner_text()
        assert "c-ch" not in body and "黄乐" not in body, href
        await site.shot(page, "3b-work-" + href.rsplit("/", 1)[-1])
        if href.endswith("/unpaired"):  # her red-tier child, the tier named, not only coloured
            await expect(page.locator("#work-list .tier-red")).to_have_text("红色（最紧急）")
            await page.click('#work-list a[href="/child/c-hz"]')
            await expect(page.locator("#timeline li")).to_have_count(2)


async def test_english_is_remembered_on_a_phone(site: Site, browser) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await sign_in(page, site, "haizhu")
    await page.click("#lang-switch")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#kpi-children .label")).to_have_text("Children on file")
    await expect(page.locator("#kpis-title")).to_have_text("Key figures")
    await expect(page.locator("#kpi-children .change")).to_have_text(f"vs last month +{await month_change(site, 'children')}")
    await page.reload()
    await expect(page.locator("#sign-out")).to_have_text("Sign out")
    await page.goto(site.url + "/child/c-hz")  # event types and times in English too
    await expect(page.locator("#timeline h2").last).to_have_text("Child registered")
    await expect(page.locator("#timeline time").first).to_contain_text("China Standard Time")
    await page.goto(site.url + "/r/440105")
    wide = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert wide, "the page scrolls sideways on a phone"
    await site.shot(page, "4-phone-english", twin=False)
    await context.close()


async def test_a_figure_changes_live_after_a_command(site: Site, browser) -> None:
    page = await (await browser.new_context()).new_page()
    await sign_in(page, site, "haizhu")
    figure = page.locator('[data-live="kpi:children"]')
    await expect(figure).to_have_text("1")
    await expect(page.locator("#live-status")).to_have_text("实时更新中")
    await site.register("c-hz-2", HERS, "王小雨")
    await site.register("c-ch-2", OTHER, "张小明")  # another district's: her figure counts only hers
    await expect(figure).to_have_text("2", timeout=10_000)
    await expect(page.locator(f'[data-live="sub:{STREET}:children"]')).to_have_text("2")
    drawn = "echarts.getInstanceByDom(document.getElementById('chart-subregions')).getOption().series[0].data[0]"
    await page.wait_for_function(f"{drawn} === 2")  # the chart too
    change = f"较上月 +{await month_change(site, 'children')}"  # and the change on last month
    await expect(page.locator("#kpi-children .change")).to_have_text(change, timeout=10_000)
    await site.shot(page, "5-live-update")


async def test_work_lists_are_filtered_paged_and_exported_within_her_subtree(site: Site, browser,
                                                                            monkeypatch) -> None:
    """The children at risk: a page of one row (red first), filtered by tier and by sub-region, the
    filters kept by the pager, and downloaded as CSV (UTF-8 with BOM) and XLSX as filtered; a filter
    outside her district or one the list cannot take is refused with a message, not a 500."""
    monkeypatch.setattr("services.dashboard.work.PAGE", 1)
    await site.register("c-hz-2", ELSEWHERE, "王小雨")
    await site.assess("c-hz-2", "orange")
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    await sign_in(page, site, "haizhu")
    await page.goto(site.url + "/r/440105/work/unpaired")
    await expect(page.locator("h1")).to_have_text("已评定风险等级的未结对儿童（红色优先）")  # what the list holds
    await expect(page.locator("#untiered-elsewhere a")).to_have_attribute("href", "/r/440105/pairing")
    await expect(page.locator(".pager")).to_contain_text("第 1 页 · 共 2 条")
    await expect(page.locator("#work-list tbody tr")).to_have_count(1)
    await expect(page.locator("#work-list .tier-red")).to_have_text("红色（最紧急）")  # red first
    await page.click('.pager a[rel="next"]')
    await expect(page.locator(".pager")).to_contain_text("第 2 页")
    await expect(page.locator("#work-list")).to_contain_text("c-hz-2")

    await page.select_option("#w-tier", "orange")
    await page.click("#work-filters button[type=submit]")
    await expect(page.locator(".pager")).to_contain_text("共 1 条")
    await expect(page.locator("#work-list .tier-orange")).to_have_text("橙色")
    await page.select_option("#w-tier", "")
    await page.select_option("#w-within", STREET)  # her street: her first child only
    await page.click("#work-filters button[type=submit]")
    await expect(page.locator(".pager")).to_contain_text("共 1 条")
    await expect(page.locator("#work-list")).to_contain_text("c-hz")
    assert "c-hz-2" not in await page.locator("#work-list").inner_text()
    await expect(page.locator("#w-within")).to_have_value(STREET)  # the filter is kept
    await site.shot(page, "12-work-list-filtered")

    async with page.expect_download() as info:
        await page.click("#export-csv")
    raw = Path(await (await info.value).path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV without its BOM"
    text = raw.decode("utf-8-sig")
    assert "儿童编号" in text.splitlines()[0] and "c-hz" in text and "红色（最紧急）" in text
    assert "c-hz-2" not in text and "c-ch" not in text  # as filtered, and nothing of another district
    await page.goto(site.url + "/r/440105/work/unpaired")
    async with page.expect_download() as info:
        await page.click("#export-xlsx")
    download = await info.value
    assert download.suggested_filename == "aixin-unpaired-440105000000.xlsx"
    sheet = load_workbook(BytesIO(Path(await download.path()).read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "儿童编号" in rows[0] and {r[rows[0].index("儿童编号")] for r in rows[1:]} == {"c-hz", "c-hz-2"}

    for bad in ("/r/440105/work/unpaired?tier=purple", f"/r/440105/work/unpaired?within={OTHER}",
                "/r/440105/work/unpaired/export?format=pdf"):
        reply = await page.goto(site.url + bad)
        assert reply.status == 422, bad
        await expect(page.locator(".error")).to_contain_text("筛选条件无效")
    reply = await page.goto(site.url + "/r/440117/work/unpaired/export?format=csv")  # the API's scope check
    assert reply.status == 403
    await context.close()
