"""The dashboard of a demo federation, page by page, as its operators see it (a whole platform in
process, filled by `aixin demo`): every page a caseworker, a province's viewer and the national admin
reach from their home page — the home page, a sub-region, each work list, the forms, the approvals,
the pages of the children and pairs the lists link to — is rendered and scanned for what an operator
cannot read: a 32-character id as a label (ids belong in the lists' last column, class "id"), a raw
enum or field name (snake_case), a 12-digit area code, a catalog key left untranslated. Each page's
server time is printed, first visits included. In Chromium, a viewer sees no names and no action,
and the home page is photographed in both languages at 1366 px and at a phone's width."""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from services.dashboard.i18n import catalog
from services.platform.runtime import Platform
from tests.e2e.test_dashboard import ARGS, CHROMIUM, browser  # noqa: F401  (the fixture, reused)
from tests.e2e.test_report import aixin, platform  # noqa: F401  (the fixture, reused)
from tests.e2e.screenshots import photograph, screenshot_folder

from playwright.async_api import Page, expect  # noqa: E402  (test_dashboard skips without a browser)

pytestmark = pytest.mark.e2e
HEX_ID = re.compile(r"\b[0-9a-f]{32}\b")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
AREA_CODE = re.compile(r"(?<!\d)\d{12}(?!\d)")
KEYS = {key for lang in ("zh-CN", "en") for key in catalog(lang)}
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


class Visible(HTMLParser):
    """The text a reader sees, less what is marked secondary (class "id": the lists' id column and
    the short numbers of roles that see no names), and the links of the page."""

    SKIP = {"script", "style", "template"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in self.VOID:
            return
        hidden = tag in self.SKIP or "id" in (attrs.get("class") or "").split() or "hidden" in attrs
        self.stack.append((tag, hidden or bool(self.stack and self.stack[-1][1])))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not (self.stack and self.stack[-1][1]):
            self.text.append(data.strip())


def unreadable(html: str) -> list[str]:
    """What a page shows that no operator can read; empty when it is all words, names and numbers."""
    seen = Visible()
    seen.feed(html)
    found = []
    for text in seen.text:
        found += [f"id {m}" for m in HEX_ID.findall(text)]
        found += [f"code {m}" for m in SNAKE.findall(text)]
        found += [f"area code {m}" for m in AREA_CODE.findall(text)]
        found += [f"catalog key {word}" for word in re.findall(r"[a-z]+(?:\.[a-z_]+)+", text) if word in KEYS]
    return found


def links_of(html: str) -> list[str]:
    seen = Visible()
    seen.feed(html)
    return seen.links


def accounts(platform: Platform) -> dict[str, str]:
    data = Path(platform.settings.data_dir)
    demo = json.loads((data / "demo-accounts.json").read_text())
    admin = json.loads((data / "credential.json").read_text())
    return {"caseworker-440105": demo["caseworker-440105"]["password"],
            "viewer-44": demo["viewer-44"]["password"], admin["username"]: admin["password"]}


async def signed_in(url: str, username: str, password: str) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=url) as anonymous:
        token = (await anonymous.post("/auth/token", data={"username": username, "password": password})).json()
    return httpx.AsyncClient(base_url=url, cookies={"aixin_session": token["access_token"]}, timeout=60)


async def visit(http: httpx.AsyncClient, path: str, times: list) -> httpx.Response:
    started = time.perf_counter()
    reply = await http.get(path)
    times.append((path, reply.status_code, (time.perf_counter() - started) * 1000))
    return reply


def reachable(home: str, html: str) -> list[str]:
    """The pages a home page leads to that the scan reads: a sub-region, the lists, the forms, the
    approvals, the 通报 (each once, in order)."""
    wanted = re.compile(r"^/(r/(\d+|CN)(/work/[a-z]+|/forms/[a-z-]+|/approvals|/pairing|/bulletin)?)$")
    found = [link for link in links_of(html) if wanted.match(link) and link != home]
    subregion = next((link for link in found if re.fullmatch(r"/r/\d+", link)), None)
    return list(dict.fromkeys([*(link for link in found if not re.fullmatch(r"/r/(\d+|CN)", link)),
                               *([subregion] if subregion else [])]))


async def test_no_page_of_a_demo_shows_an_id_a_code_or_an_enum(platform: Platform) -> None:  # noqa: F811
    code, out = await aixin(platform, "demo", "--children", "60", "--seed", "5")
    assert code == 0, out
    url, problems, times = f"http://127.0.0.1:{platform.settings.http_port}", {}, []
    for username, password in accounts(platform).items():
        http = await signed_in(url, username, password)
        async with http:
            home = (await visit(http, "/", times)).headers["location"]
            first = await visit(http, home, times)
            assert first.status_code == 200, first.text
            pages = {home: first.text}
            for path in reachable(home, first.text):
                reply = await visit(http, path, times)
                assert reply.status_code == 200, (username, path, reply.status_code)
                pages[path] = reply.text
            # the people the lists link to: a child's and a pair's page, each once
            people = [link for html in pages.values() for link in links_of(html) if re.match(r"^/(child|pair)/\w+$", link)]
            for path in list(dict.fromkeys(people))[:4]:
                reply = await visit(http, path, times)
                assert reply.status_code == 200, (username, path, reply.status_code)
                pages[path] = reply.text
            for lang in ("en",):  # and the home page in English
                http.cookies.set("aixin_lang", lang)
                pages[f"{home} ({lang})"] = (await visit(http, home, times)).text
            for path, html in pages.items():
                if found := unreadable(html):
                    problems[f"{username} {path}"] = sorted(set(found))[:8]
    for path, status, ms in times:
        print(f"{ms:7.0f} ms  {status}  {path}")
    assert problems == {}
    assert len(times) > 15  # the scan read the pages it meant to
    assert max(ms for path, status, ms in times if path.startswith("/r/") and path.count("/") == 2) < 2000


async def test_a_viewer_sees_no_names_and_no_actions_and_the_home_page_is_photographed(
        platform: Platform, browser, tmp_path: Path) -> None:  # noqa: F811
    code, out = await aixin(platform, "demo", "--children", "40", "--seed", "3")
    assert code == 0, out
    url, logins = f"http://127.0.0.1:{platform.settings.http_port}", accounts(platform)
    shots = screenshot_folder(tmp_path)
    async with await signed_in(url, "caseworker-440105", logins["caseworker-440105"]) as caseworker:
        # The first of the lists of children that names some in this demo (which children are overdue
        # or waiting for a pair depends on the days the demo drew).
        for work in ("overdue", "unpaired", "reminders"):
            listed = (await caseworker.get(f"/r/440105/work/{work}")).text
            if names := re.findall(r'<a href="/child/\w+">([^<]+)</a>', listed):
                break
    assert names, "the caseworker's lists name the children they show"

    context = await browser.new_context(viewport=WIDE)
    page = await context.new_page()
    await sign_in(page, url, "viewer-44", logins["viewer-44"])
    await expect(page.locator(".actions a, .actions button, form.entry")).to_have_count(0)
    await page.goto(url + f"/r/440105/work/{work}")
    await expect(page.locator("#ids-only")).to_be_visible()
    shown = await page.locator("#work-list").inner_text()
    assert not [name for name in names if name in shown]
    await shot(page, shots, f"viewer-{work}-ids-only")
    reply = await page.goto(url + "/r/440105/forms/submit-wish")  # typed by hand: refused for her role, not her place
    assert reply.status == 403
    await expect(page.locator(".error")).to_have_text("此表单由个案工作者提交，您的角色不能提交。")
    await context.close()

    for lang, viewport, name in (("zh-CN", WIDE, "home-zh-1366"), ("zh-CN", PHONE, "home-zh-phone"),
                                 ("en", WIDE, "home-en-1366"), ("en", PHONE, "home-en-phone")):
        context = await browser.new_context(viewport=viewport)
        await context.add_cookies([{"name": "aixin_lang", "value": lang, "url": url}])
        page = await context.new_page()
        await sign_in(page, url, "caseworker-440105", logins["caseworker-440105"])
        await expect(page.locator("#kpi-five_ones")).to_be_visible()
        await expect(page.locator("#report-download")).to_be_visible()
        wide = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert wide, f"{name}: the page is wider than the screen"
        await shot(page, shots, name, twin=False)  # each language photographed in turn
        await context.close()


async def sign_in(page: Page, url: str, username: str, password: str) -> None:
    await page.goto(url + "/")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.press("#password", "Enter")
    await page.wait_for_url(f"{url}/r/**")


async def shot(page: Page, shots: Path, name: str, *, twin: bool = True) -> Path:
    return await photograph(page, shots, name, twin=twin)


async def test_a_caseworker_finds_a_child_by_name_and_logs_a_visit_to_her_pair_without_an_id(
        platform: Platform, browser) -> None:  # noqa: F811
    code, out = await aixin(platform, "demo", "--children", "40", "--seed", "3")
    assert code == 0, out
    url, logins = f"http://127.0.0.1:{platform.settings.http_port}", accounts(platform)
    async with await signed_in(url, "caseworker-440105", logins["caseworker-440105"]) as caseworker:
        listed = (await caseworker.get("/r/440105/work/overdue")).text  # children in a pair, by name
    name = re.findall(r'<a href="/child/\w+">([^<]+)</a>', listed)[0]

    page = await (await browser.new_context(viewport=WIDE)).new_page()
    await sign_in(page, url, "caseworker-440105", logins["caseworker-440105"])
    await page.fill("#child-name", name[-2:])  # the home page's look-up, by part of her name
    await page.click("#find-child button")
    await expect(page.locator("#found a.found-name").filter(has_text=name)).to_have_count(1)

    await page.goto(url + "/r/440105/forms/log-visit")
    await page.click("#find-pair_id")
    await page.fill("#find-q", name)
    await page.click("#find-go")
    await page.locator("#found li").filter(has_text=name).locator("a.use").first.click()
    await expect(page.locator("#picked-pair_id")).to_contain_text(name)
    assert await page.input_value("#f-pair_id")  # her pair's id, filled in for her
    await page.select_option("#f-kind", "phone_call")
    await page.fill("#f-duration_minutes", "20")
    await page.click("#form-log-visit button[type=submit]")
    await expect(page.locator("#form-done")).to_be_visible()
    await expect(page.locator("#form-done-link")).to_have_text("查看结对详情")  # her pair, not the visit's id
    assert not HEX_ID.search(await page.inner_text("#form-done"))
