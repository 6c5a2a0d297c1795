"""Forms that cannot be forged, and sessions that end with what made them, against the platform of
tests/e2e/test_dashboard.py. In Chromium, a page served on another port of 127.0.0.1 (the same
site to the browser, so even a SameSite=Strict cookie goes along) auto-submits forms to the
dashboard of a signed-in caseworker: with a made-up token, without one, and to sign her in or out;
each is refused with the dashboard's page in Chinese and nothing is created, while her own form
still registers a child. Over HTTP: a foreign Origin or Referer, a missing or wrong token, a sign-in
without its page's cookie are 403; and a dashboard session ends when the account's password is
changed, a role is taken or the account is disabled."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from contracts.accounts import Role
from tests.e2e import test_dashboard
from tests.e2e.test_dashboard import ARGS, CHROMIUM, HERS, Site, sign_in
from tests.e2e.test_http_api import PASSWORD, bearer

from playwright.async_api import async_playwright, expect  # noqa: E402  (test_dashboard skips without one)

REFUSED = "此请求未予处理：表单已过期，或来自其他网站。"
MORE = {"admin": ("CN", Role.admin), "worker": ("440105", (Role.caseworker, Role.viewer))}


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch):
    async with test_dashboard.serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc,
                                      accounts_of={**test_dashboard.ACCOUNTS, **MORE}) as running:
        yield running


def auto_submit(action: str, fields: dict[str, str]) -> HTMLResponse:
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    return HTMLResponse(f'<!doctype html><form id="f" method="post" action="{action}">{inputs}</form>'
                        '<script>document.getElementById("f").submit()</script>')


CHILD = {"name": "伪造的孩子", "sex": "female", "birth_date": "2015-05-05", "category": "left_behind",
         "region": HERS}


@asynccontextmanager
async def evil_site(target: str) -> AsyncIterator[str]:
    """Another origin on the same host: pages that post to `target` as soon as they open."""
    pages = {
        "made-up-token": auto_submit(f"{target}/r/440105/forms/register-child",
                                     {**CHILD, "child_id": "c-evil-1", "csrf": "0" * 64}),
        "no-token": auto_submit(f"{target}/r/440105/forms/register-child", {**CHILD, "child_id": "c-evil-2"}),
        "wish": auto_submit(f"{target}/r/440105/forms/submit-wish", {
            "child_id": "c-hz", "item": "书包", "category": "study", "estimated_cost_yuan": "10"}),
        "sign-in": auto_submit(f"{target}/login", {"username": "conghua", "password": PASSWORD, "next": "/"}),
        "sign-out": auto_submit(f"{target}/logout", {}),
    }
    app = Starlette(routes=[Route(f"/{name}", lambda request, page=page: page) for name, page in pages.items()])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await serving


async def test_a_page_on_another_port_cannot_act_for_her(site: Site) -> None:
    async with async_playwright() as p, evil_site(site.url) as evil:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await (await browser.new_context()).new_page()
        await sign_in(page, site, "haizhu")
        before = await site.event_log.last_sequence()
        for name in ("made-up-token", "no-token", "wish", "sign-in", "sign-out"):
            async with page.expect_response(lambda r: r.url.startswith(site.url) and r.request.method == "POST") as info:
                await page.goto(f"{evil}/{name}")
            assert (await info.value).status == 403, name
            await expect(page.locator(".problem .error")).to_contain_text(REFUSED)
        await site.shot(page, "20-forged-form-refused", twin=False)
        assert await site.event_log.last_sequence() == before  # nothing was written
        for child_id in ("c-evil-1", "c-evil-2"):
            assert (await site.http.get(f"/children/{child_id}", headers=site.nation)).status_code == 404

        await page.goto(site.url + "/r/440105")  # still signed in, as herself: not signed out nor in as another
        await expect(page.locator(".who")).to_contain_text("haizhu")
        await page.goto(site.url + "/r/440105/forms/register-child")  # her own form works
        await page.fill("#f-name", "真的孩子")
        await page.select_option("#f-sex", "female")
        await page.fill("#f-birth_date", "2015-05-05")
        await page.select_option("#f-category", "left_behind")
        await page.fill("#f-child_id", "c-real")
        await page.click("#form-register-child button[type=submit]")
        await expect(page.locator("#form-done")).to_be_visible()
        assert (await site.http.get("/children/c-real", headers=site.nation)).status_code == 200
        await page.click("#sign-out")  # and so does signing out
        await page.wait_for_url(f"{site.url}/login?out=1")
        await browser.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


async def signed_in(http: httpx.AsyncClient, username: str) -> str:
    """Sign in through the sign-in page as a browser would; the token of the pages then served."""
    token = csrf_of((await http.get("/login")).text)
    reply = await http.post("/login", data={"username": username, "password": PASSWORD, "next": "/", "csrf": token},
                            headers={"Origin": str(http.base_url).rstrip("/")})
    assert reply.status_code == 303, reply.text
    return csrf_of((await http.get("/r/440105/forms/submit-wish")).text)


@asynccontextmanager
async def browser_like(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site.http._transport.app),
                                 base_url="http://aixin") as http:
        yield http


async def test_origin_referer_and_token_are_checked(site: Site) -> None:
    async with browser_like(site) as http:
        anonymous = await http.post("/login", data={"username": "haizhu", "password": PASSWORD})
        assert anonymous.status_code == 403 and REFUSED in anonymous.text  # no sign-in page's cookie
        token = await signed_in(http, "haizhu")
        wish = {"child_id": "c-hz", "item": "书包", "category": "study", "estimated_cost_yuan": "10"}
        path = "/r/440105/forms/submit-wish"
        for headers, sent in (({"Origin": "http://evil.example"}, token),
                              ({"Referer": "http://127.0.0.1:1/wish"}, token),
                              ({"Origin": "null"}, token),
                              ({"Origin": "http://aixin"}, None),
                              ({"Origin": "http://aixin"}, "f" * 64)):
            reply = await http.post(path, data={**wish, **({"csrf": sent} if sent else {})}, headers=headers)
            assert reply.status_code == 403 and REFUSED in reply.text, (headers, sent)
        http.cookies.set("aixin_lang", "en")
        english = await http.post(path, data=wish, headers={"Origin": "http://evil.example"})
        assert "came from another site" in english.text
        http.cookies.delete("aixin_lang")
        logout = await http.post("/logout", headers={"Origin": "http://evil.example"}, data={"csrf": token})
        assert logout.status_code == 403
        ok = await http.post("/logout", data={"csrf": token}, headers={"Referer": "http://aixin/r/440105"})
        assert ok.status_code == 303 and ok.headers["location"] == "/login?out=1"


@pytest.mark.parametrize("change", ["password", "revoke", "disable"])
async def test_a_dashboard_session_ends_with_a_change_to_the_account(site: Site, change: str) -> None:
    async with browser_like(site) as http:
        await signed_in(http, "worker")
        assert (await http.get("/r/440105")).status_code == 200
        admin = await bearer(site.http, "admin")
        if change == "password":
            done = await site.http.post("/accounts/worker/password", headers=admin, json={"password": "another password"})
        elif change == "revoke":
            done = await site.http.delete("/accounts/worker/roles/viewer", headers=admin)
        else:
            done = await site.http.post("/accounts/worker/disable", headers=admin)
        assert done.status_code == 200, done.text
        ended = await http.get("/r/440105")
        assert ended.status_code == 303 and ended.headers["location"] == "/login?next=/r/440105&expired=1"
