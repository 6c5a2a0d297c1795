"""/docs in a real browser under its strict content security policy: Swagger UI, from its vendored
assets and its one inline script allowed by hash, draws the API's operations, and the browser
reports no violation of the policy."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import uvicorn

from services.platform.web import create_app
from tests.e2e.test_dashboard import ARGS, CHROMIUM

from playwright.async_api import async_playwright, expect  # noqa: E402  (test_dashboard skips without one)


async def test_swagger_ui_runs_under_the_policy() -> None:
    api = create_app(SimpleNamespace(max_payload=1 << 20, is_connected=False), SimpleNamespace(last_sequence=None),
                     None, None)
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    url = "http://127.0.0.1:%d" % server.servers[0].sockets[0].getsockname()[1]
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page()
            complaints: list[str] = []
            page.on("console", lambda message: complaints.append(message.text)
                    if "Content Security Policy" in message.text else None)
            reply = await page.goto(url + "/docs")
            assert "'sha256-" in reply.headers["content-security-policy"]
            await expect(page.locator(".swagger-ui .info .title")).to_contain_text("aixin", timeout=15_000)
            await expect(page.locator(".opblock-summary-path").first).to_be_visible()
            assert await page.locator(".opblock").count() > 50
            assert complaints == []
            await browser.close()
    finally:
        server.should_exit = True
        await serving
